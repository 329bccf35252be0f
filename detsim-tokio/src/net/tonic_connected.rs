//! tonic's server `Connected` for the stand-in's [`TcpStream`] (feature
//! `tonic`), so a server's `Request::remote_addr` and
//! `serve_with_incoming` work with it as with tokio's. The trait is
//! tonic's and the type is this crate's, so the rule of orphans puts the
//! impl here.

use tonic::transport::server::{Connected, TcpConnectInfo};

use crate::net::TcpStream;

impl Connected for TcpStream {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        TcpConnectInfo {
            local_addr: self.local_addr().ok(),
            remote_addr: self.peer_addr().ok(),
        }
    }
}
