use std::time::Duration;

use tokio::process::Command;

#[derive(Clone)]
pub struct Upstream {
    addr: String,
}

impl Upstream {
    pub async fn connect(addr: &str) -> std::io::Result<Upstream> {
        let upstream = Upstream { addr: addr.to_string() };

        // Leak: a reconnect loop nobody can stop; it outlives the client.
        let watcher = upstream.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = watcher.ping().await {
                    eprintln!("upstream {} unreachable: {e}", watcher.addr);
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        });

        // Leak: a helper process that is never waited, so it ends a zombie.
        Command::new("upstream-metrics").arg(addr).spawn()?;

        Ok(upstream)
    }

    async fn ping(&self) -> std::io::Result<()> {
        tokio::net::TcpStream::connect(&self.addr).await.map(drop)
    }
}
