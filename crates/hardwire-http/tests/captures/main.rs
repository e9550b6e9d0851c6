//! Tests on real captured bytes: every expected value comes from tshark 4.0 on the named
//! capture and frame, or from the capture's own project (Arkime's `.test`, Zeek's baselines).

mod fixtures;
mod pcap;

mod app_content;
mod auth;
mod body;
mod heads;
mod props;
mod sniff;
mod tls;
