use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::upstream::Upstream;

pub struct Session {
    log: tokio::sync::mpsc::Sender<String>,
}

impl Drop for Session {
    fn drop(&mut self) {
        // Leak: cleanup spawned from `Drop` may never run, and outlives the session.
        let log = self.log.clone();
        tokio::spawn(async move {
            let _ = log.send("session closed".to_string()).await;
        });
    }
}

pub async fn serve(mut socket: TcpStream, _upstream: Upstream) {
    let _ = socket.write_all(b"hello\n").await;
}
