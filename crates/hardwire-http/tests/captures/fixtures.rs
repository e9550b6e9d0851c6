//! Real bytes from the public captures under /work/shared/pcaps (TCP payloads as tshark shows
//! them with `-T fields -e tcp.payload`), each named by capture and frame number. ASCII heads
//! are written as byte strings; binary payloads as hex.

/// arkime/http-basicauth.pcap frame 4: GET with `Authorization: Basic` (user `userrrrr`).
pub const BASICAUTH_REQUEST: &[u8] = b"GET /xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/xxx/xxxxxxxxxxxxxxxxxxxx.js HTTP/1.1\r\n\
    Host: 10.000.000.001:1234\r\n\
    User-Agent: Mozilla/5.0 (Windows NT 5.1; rv:32.0) Gecko/20100101 Firefox/32.0\r\n\
    Accept: */*\r\n\
    Accept-Language: en-GB,en;q=0.5\r\n\
    Accept-Encoding: gzip, deflate\r\n\
    Referer: http://10.000.000.001:1234/zzzzzzzzzzzzzzzz/zzzzzzzz/zz/zzzzzzzzz/index.html\r\n\
    Cookie: zzzzzzzzzzzzzzzzzz=auto; cprelogin=no; cpsession=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz; langedit=; lang=\r\n\
    Authorization: Basic dXNlcnJycnI6cGFzc3dvcmRkZGRk\r\n\
    Connection: keep-alive\r\n\
    If-Modified-Since: Wed, 29 Oct 2014 01:11:13 GMT\r\n\
    \r\n";

/// arkime/http-basicauth.pcap frame 6: 304 Not Modified.
pub const BASICAUTH_RESPONSE: &[u8] = b"HTTP/1.1 304 Not Modified\r\n\
    Server: cpsrvd/11.44.1.19\r\n\
    X-Keep-Alive-Count: 1\r\n\
    Connection: Keep-Alive\r\n\
    Keep-Alive: timeout=70, max=200\r\n\
    Date: Wed, 29 Oct 2014 17:35:08 GMT\r\n\
    Cache-Control: max-age=5184000, public\r\n\
    Expires: Sun, 28 Dec 2014 17:35:07 GMT\r\n\
    \r\n";

/// zeek/Traces/http/basic-auth-with-colon.pcap frame 4: Basic credentials `test:1:34`, password with a colon.
pub const BASIC_COLON_REQUEST: &[u8] = b"GET / HTTP/1.1\r\n\
    Host: 172.24.133.205:8000\r\n\
    User-Agent: python-requests/2.31.0\r\n\
    Accept-Encoding: gzip, deflate\r\n\
    Accept: */*\r\n\
    Connection: keep-alive\r\n\
    Authorization: Basic  dGVzdDoxOjM0\r\n\
    \r\n";

/// zeek/Traces/http/basic-auth-with-extra-space.pcap frame 26: two spaces after `Basic`.
pub const BASIC_SPACE_REQUEST: &[u8] = b"GET / HTTP/1.1\r\n\
    Host: 172.24.133.205:8000\r\n\
    User-Agent: python-requests/2.31.0\r\n\
    Accept-Encoding: gzip, deflate\r\n\
    Accept: */*\r\n\
    Connection: keep-alive\r\n\
    Authorization: Basic  dGVzdDoxMjM0\r\n\
    \r\n";

/// arkime/ntlm_synthetic.pcap frame 44: `Authorization: NTLM` NEGOTIATE.
pub const NTLM_NEGOTIATE_REQUEST: &[u8] = b"GET /protected/index.html HTTP/1.1\r\n\
    Host: srv.example.com\r\n\
    User-Agent: Mozilla/5.0\r\n\
    Authorization: NTLM TlRMTVNTUAABAAAABwIAAgcABwAoAAAACAAIAC8AAAAKAGFKAAAAD0hUVFBET01IVFRQSE9TVA==\r\n\
    \r\n";

/// arkime/ntlm_synthetic.pcap frame 46: 401 with `WWW-Authenticate: NTLM` CHALLENGE.
pub const NTLM_CHALLENGE_RESPONSE: &[u8] = b"HTTP/1.1 401 Unauthorized\r\n\
    WWW-Authenticate: NTLM TlRMTVNTUAACAAAADgAOADgAAAAFAgACASNFZ4mrze8AAAAAAAAAAAQABABGAAAACgBhSgAAAA9IAFQAVABQAFQARwBUAAAAAAA=\r\n\
    Connection: keep-alive\r\n\
    Content-Length: 0\r\n\
    \r\n";

/// arkime/ntlm_synthetic.pcap frame 48: `Authorization: NTLM` AUTHENTICATE (user dave, domain HTTPDOM).
pub const NTLM_AUTHENTICATE_REQUEST: &[u8] = b"GET /protected/index.html HTTP/1.1\r\n\
    Host: srv.example.com\r\n\
    User-Agent: Mozilla/5.0\r\n\
    Authorization: NTLM TlRMTVNTUAADAAAAGAAYAFgAAAAYABgAcAAAAA4ADgCIAAAACAAIAJYAAAAQABAAngAAABAAEACuAAAABQIAAgoAYUoAAAAPAAAAAAAAAAAAAAAAAAAAAExMTExMTExMTExMTExMTExMTExMTExMTE5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTkgAVABUAFAARABPAE0AZABhAHYAZQBIAFQAVABQAEgATwBTAFQAS0tLS0tLS0tLS0tLS0tLSw==\r\n\
    \r\n";

/// arkime/ntlm_synthetic.pcap frame 58: `Authorization: Negotiate` wrapping a raw NTLM NEGOTIATE.
pub const NEGOTIATE_REQUEST: &[u8] = b"GET /secure/ HTTP/1.1\r\n\
    Host: v6srv.example.com\r\n\
    User-Agent: Mozilla/5.0\r\n\
    Authorization: Negotiate TlRMTVNTUAABAAAABwIAAggACAAoAAAACQAJADAAAAAGA4AlAAAAD0hUVFA2RE9NSFRUUDZIT1NU\r\n\
    \r\n";

/// arkime/ntlm_synthetic.pcap frame 60: 401 with `WWW-Authenticate: Negotiate`.
pub const NEGOTIATE_CHALLENGE_RESPONSE: &[u8] = b"HTTP/1.1 401 Unauthorized\r\n\
    WWW-Authenticate: Negotiate TlRMTVNTUAACAAAAEAAQADgAAAAFAgACASNFZ4mrze8AAAAAAAAAAAQABABIAAAACgBdWAAAAA9IAFQAVABQADYAVABHAFQAAAAAAA==\r\n\
    Connection: keep-alive\r\n\
    Content-Length: 0\r\n\
    \r\n";

/// zeek/Traces/erspan.pcap frame 100 (HTTP inside ERSPAN, payload as decapsulated by tshark): NTLM NEGOTIATE to IIS.
pub const ERSPAN_NTLM_REQUEST: &[u8] = b"GET / HTTP/1.1\r\n\
    Accept: application/x-ms-application, image/jpeg, application/xaml+xml, image/gif, image/pjpeg, application/x-ms-xbap, */*\r\n\
    Accept-Language: en-us\r\n\
    User-Agent: Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; WOW64; Trident/4.0; SLCC2; .NET CLR 2.0.50727; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0)\r\n\
    Accept-Encoding: gzip, deflate\r\n\
    Host: 192.168.69.2\r\n\
    Connection: Keep-Alive\r\n\
    Authorization: NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==\r\n\
    \r\n";

/// zeek/Traces/erspan.pcap frame 101: IIS 401 with the NTLM CHALLENGE.
pub const ERSPAN_NTLM_CHALLENGE: &[u8] = b"HTTP/1.1 401 Unauthorized\r\n\
    Server: Microsoft-IIS/7.5\r\n\
    SPRequestGuid: d1cd65b5-5e34-4c63-abe7-898f8e0f8685\r\n\
    WWW-Authenticate: NTLM TlRMTVNTUAACAAAABAAEADgAAAAFgomi7mG9THVaDtMAAAAAAAAAAG4AbgA8AAAABgGxHQAAAA9TAFAAAgAEAFMAUAABAAoAVABGAEQAUwBQAAQAEABzAHAALgBsAG8AYwBhAGwAAwAcAFQARgBEAFMAUAAuAHMAcAAuAGwAbwBjAGEAbAAFABAAcwBwAC4AbABvAGMAYQBsAAcACACXm7aj9u/QAQAAAAA=\r\n\
    X-Powered-By: ASP.NET\r\n\
    MicrosoftSharePointTeamServices: 14.0.0.7015\r\n\
    X-MS-InvokeApp: 1; RequireReadOnly\r\n\
    Date: Tue, 15 Sep 2015 20:39:38 GMT\r\n\
    Content-Length: 0\r\n\
    \r\n";

/// zeek/Traces/erspan.pcap frame 102: NTLM AUTHENTICATE (user administrator).
pub const ERSPAN_NTLM_AUTHENTICATE: &[u8] = b"GET / HTTP/1.1\r\n\
    Accept: application/x-ms-application, image/jpeg, application/xaml+xml, image/gif, image/pjpeg, application/x-ms-xbap, */*\r\n\
    Accept-Language: en-us\r\n\
    User-Agent: Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; WOW64; Trident/4.0; SLCC2; .NET CLR 2.0.50727; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0)\r\n\
    Accept-Encoding: gzip, deflate\r\n\
    Host: 192.168.69.2\r\n\
    Connection: Keep-Alive\r\n\
    Authorization: NTLM TlRMTVNTUAADAAAAGAAYAIYAAAAYARgBngAAAAQABABYAAAAGgAaAFwAAAAQABAAdgAAAAAAAAC2AQAABYKIogYBsR0AAAAPSBY1blXQHh37pNh65/bJ3XMAcABhAGQAbQBpAG4AaQBzAHQAcgBhAHQAbwByAFMAVABFAFYARQAtAFAAQwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAXVF8cA5dSOsl6E8DN+6VMAQEAAAAAAACXm7aj9u/QAYjdzEYfLuXEAAAAAAIABABTAFAAAQAKAFQARgBEAFMAUAAEABAAcwBwAC4AbABvAGMAYQBsAAMAHABUAEYARABTAFAALgBzAHAALgBsAG8AYwBhAGwABQAQAHMAcAAuAGwAbwBjAGEAbAAHAAgAl5u2o/bv0AEGAAQAAgAAAAgAMAAwAAAAAAAAAAEAAAAAEAAAUtMWP+ydsMKy+Ihdol9U5aEm8BXtpbMKujLU5tfJg9IKABAAAAAAAAAAAAAAAAAAAAAAAAkAIgBIAFQAVABQAC8AMQA5ADIALgAxADYAOAAuADYAOQAuADIAAAAAAAAAAAAAAAAA\r\n\
    \r\n";

/// arkime/arkime_synthetic.pcap frame 180: WinRM `POST /wsman` to 5985, SOAP body in clear.
pub const WINRM_REQUEST: &[u8] = b"POST /wsman HTTP/1.1\r\n\
    Host: dc.example.com\r\n\
    Content-Type: application/soap+xml;charset=UTF-8\r\n\
    Content-Length: 311\r\n\
    User-Agent: Microsoft WinRM Client\r\n\
    \r\n\
    <s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wsman=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\"><s:Header><wsa:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</wsa:Action></s:Header><s:Body/></s:Envelope>";

/// arkime/arkime_synthetic.pcap frame 182: 200 with a SOAP body.
pub const WINRM_RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\n\
    Content-Type: application/soap+xml;charset=UTF-8\r\n\
    Content-Length: 13\r\n\
    Server: Microsoft-HTTPAPI/2.0\r\n\
    \r\n\
    <s:Envelope/>";

/// arkime/arkime_synthetic.pcap frame 213: `POST /wsmania` (not the /wsman path) from the WinRM agent.
pub const WSMANIA_REQUEST: &[u8] = b"POST /wsmania HTTP/1.1\r\n\
    Host: other.example.com\r\n\
    Content-Type: application/soap+xml;charset=UTF-8\r\n\
    Content-Length: 5\r\n\
    User-Agent: Microsoft WinRM Client\r\n\
    \r\n\
    hello";

/// arkime/arkime_synthetic.pcap frame 136: RPC over HTTP `RPC_IN_DATA` with a 1 GiB Content-Length.
pub const RPC_IN_DATA_REQUEST: &[u8] = b"RPC_IN_DATA /rpc/rpcproxy.dll?MAIL.example.com:6001 HTTP/1.1\r\n\
    Host: mail.example.com\r\n\
    User-Agent: MSRPC\r\n\
    Cache-Control: no-cache\r\n\
    Connection: Keep-Alive\r\n\
    Content-Length: 1073741824\r\n\
    \r\n";

/// arkime/arkime_synthetic.pcap frame 822: GET with `Upgrade: websocket`.
pub const WEBSOCKET_REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\n\
    Host: ws.split.test\r\n\
    Upgrade: websocket\r\n\
    Connection: Upgrade\r\n\
    Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    Sec-WebSocket-Version: 13\r\n\
    \r\n";

/// arkime/arkime_synthetic.pcap frame 823: 101 Switching Protocols.
pub const WEBSOCKET_RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
    Upgrade: websocket\r\n\
    Connection: Upgrade\r\n\
    Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    \r\n";

/// arkime/arkime_synthetic.pcap frame 394: ClientHello, SNI secure.example.com, supported_versions 0x0304.
pub const TLS_CLIENT_HELLO: &str = "\
    160301005501000051030300000000000000000000000000000000000000000000000000000000000000000000061301\
    13021303010000220000001700150000127365637572652e6578616d706c652e636f6d002b0003020304";

/// arkime/arkime_synthetic.pcap frame 395: ServerHello, legacy version 0x0303, no supported_versions.
pub const TLS_SERVER_HELLO: &str = "\
    160303004a02000046030300000000000000000000000000000000000000000000000000000000000000002000000000\
    00000000000000000000000000000000000000000000000000000000130100";

/// arkime/arkime_synthetic.pcap frame 904: ServerHello whose 1024 bytes of extensions all have length 0.
pub const TLS_SERVER_HELLO_EMPTY_EXTENSIONS: &str = "\
    160303042c020004280303202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f0013020004\
    0000000000000100000002000000030000000400000005000000060000000700000008000000090000000a0000000b00\
    00000c0000000d0000000e0000000f000000100000001100000012000000130000001400000015000000160000001700\
    000018000000190000001a0000001b0000001c0000001d0000001e0000001f0000002000000021000000220000002300\
    00002400000025000000260000002700000028000000290000002a0000002b0000002c0000002d0000002e0000002f00\
    0000300000003100000032000000330000003400000035000000360000003700000038000000390000003a0000003b00\
    00003c0000003d0000003e0000003f000000400000004100000042000000430000004400000045000000460000004700\
    000048000000490000004a0000004b0000004c0000004d0000004e0000004f0000005000000051000000520000005300\
    00005400000055000000560000005700000058000000590000005a0000005b0000005c0000005d0000005e0000005f00\
    0000600000006100000062000000630000006400000065000000660000006700000068000000690000006a0000006b00\
    00006c0000006d0000006e0000006f000000700000007100000072000000730000007400000075000000760000007700\
    000078000000790000007a0000007b0000007c0000007d0000007e0000007f0000008000000081000000820000008300\
    00008400000085000000860000008700000088000000890000008a0000008b0000008c0000008d0000008e0000008f00\
    0000900000009100000092000000930000009400000095000000960000009700000098000000990000009a0000009b00\
    00009c0000009d0000009e0000009f000000a0000000a1000000a2000000a3000000a4000000a5000000a6000000a700\
    0000a8000000a9000000aa000000ab000000ac000000ad000000ae000000af000000b0000000b1000000b2000000b300\
    0000b4000000b5000000b6000000b7000000b8000000b9000000ba000000bb000000bc000000bd000000be000000bf00\
    0000c0000000c1000000c2000000c3000000c4000000c5000000c6000000c7000000c8000000c9000000ca000000cb00\
    0000cc000000cd000000ce000000cf000000d0000000d1000000d2000000d3000000d4000000d5000000d6000000d700\
    0000d8000000d9000000da000000db000000dc000000dd000000de000000df000000e0000000e1000000e2000000e300\
    0000e4000000e5000000e6000000e7000000e8000000e9000000ea000000eb000000ec000000ed000000ee000000ef00\
    0000f0000000f1000000f2000000f3000000f4000000f5000000f6000000f7000000f8000000f9000000fa000000fb00\
    0000fc000000fd000000fe000000ff0000";

/// zeek/Traces/http/methods.pcap: the first client payload of every TCP stream, by frame.
pub const METHODS_FIRST_REQUESTS: &[(u32, &[u8])] = &[
    (4, b"OPTIONS * HTTP/1.1\nHost: www.google.com\n\n"),
    (14, b"OPTIONS HTTP/1.1\nHost: www.google.com\n\n"),
    (24, b"OPTIONSHTTP/1.1\nHost: www.google.com\n\n"),
    (34, b"OPTIONS\nHost: www.google.com\n\n"),
    (44, b"GET / HTTP/1.1\nHost: www.google.com\n\n"),
    (108, b"GET / HTTP/1.\nHost: www.google.com\n\n"),
    (172, b"GET /HTTP/1.1\nHost: www.google.com\n\n"),
    (182, b"GET/ HTTP/1.1\nHost: www.google.com\n\n"),
    (192, b"GET/HTTP/1.1\nHost: www.google.com\n\n"),
    (202, b"GET / HTTP/1.1\nHost: www.google.com\n\n"),
    (269, b"\xc3\x83\xc3\x82\xc3\x83 / HTTP/1.\nHost: www.google.com\n\n"),
    (279, b"\xc3\x83\xc3\x82\xc3\x83 /HTTP/1.1\nHost: www.google.com\n\n"),
    (289, b"\xc3\x83\xc3\x82\xc3\x83/ HTTP/1.1\nHost: www.google.com\n\n"),
    (299, b"\xc3\x83\xc3\x82\xc3\x83/HTTP/1.1\nHost: www.google.com\n\n"),
    (309, b"\xc3\x83\xc3\x82\xc3\x83/ HTTP/1.1\nHost: www.google.com\n\n"),
    (319, b"CCM_POST / HTTP/1.\nHost: www.google.com\n\n"),
    (329, b"CCM_POST /HTTP/1.1\nHost: www.google.com\n\n"),
    (339, b"CCM_POST/ HTTP/1.1\nHost: www.google.com\n\n"),
    (349, b"CCM_POST/HTTP/1.1\nHost: www.google.com\n\n"),
    (359, b"CCM_POST / HTTP/1.1\nHost: www.google.com\n\n"),
    (369, b"CONNECT / HTTP/1.\nHost: www.google.com\n\n"),
    (379, b"CONNECT /HTTP/1.1\nHost: www.google.com\n\n"),
    (389, b"CONNECT/ HTTP/1.1\nHost: www.google.com\n\n"),
    (399, b"CONNECT/HTTP/1.1\nHost: www.google.com\n\n"),
    (409, b"CONNECT / HTTP/1.1\nHost: www.google.com\n\n"),
    (419, b"TRACE / HTTP/1.\nHost: www.google.com\n\n"),
    (429, b"TRACE /HTTP/1.1\nHost: www.google.com\n\n"),
    (439, b"TRACE/ HTTP/1.1\nHost: www.google.com\n\n"),
    (449, b"TRACE/HTTP/1.1\nHost: www.google.com\n\n"),
    (459, b"TRACE / HTTP/1.1\nHost: www.google.com\n\n"),
    (469, b"DELETE / HTTP/1.\nHost: www.google.com\n\n"),
    (479, b"DELETE /HTTP/1.1\nHost: www.google.com\n\n"),
    (489, b"DELETE/ HTTP/1.1\nHost: www.google.com\n\n"),
    (499, b"DELETE/HTTP/1.1\nHost: www.google.com\n\n"),
    (509, b"DELETE / HTTP/1.1\nHost: www.google.com\n\n"),
    (519, b"PUT / HTTP/1.\nHost: www.google.com\n\n"),
    (529, b"PUT /HTTP/1.1\nHost: www.google.com\n\n"),
    (539, b"PUT/ HTTP/1.1\nHost: www.google.com\n\n"),
    (549, b"PUT/HTTP/1.1\nHost: www.google.com\n\n"),
    (559, b"PUT / HTTP/1.1\nHost: www.google.com\n\n"),
    (569, b"POST / HTTP/1.\nHost: www.google.com\n\n"),
    (579, b"POST /HTTP/1.1\nHost: www.google.com\n\n"),
    (589, b"POST/ HTTP/1.1\nHost: www.google.com\n\n"),
    (599, b"POST/HTTP/1.1\nHost: www.google.com\n\n"),
    (609, b"HEAD / HTTP/1.1\nHost: www.google.com\n\n"),
    (619, b"HEAD / HTTP/1.\nHost: www.google.com\n\n"),
    (629, b"HEAD /HTTP/1.1\nHost: www.google.com\n\n"),
    (639, b"HEAD/ HTTP/1.1\nHost: www.google.com\n\n"),
    (649, b"HEAD/HTTP/1.1\nHost: www.google.com\n\n"),
];

/// Frames of METHODS_FIRST_REQUESTS whose request line tshark dissects with version `HTTP/1.1`
/// (`-e http.request.version`); in the others tshark finds no version, or `HTTP/1.`.
pub const METHODS_WELL_FORMED: &[u32] = &[4, 44, 202, 359, 409, 459, 509, 559, 609];
