//! The server process under test and the HTTP/1.1 clients that log in and drive it.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode, header};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::Options;
use crate::demo;

/// A logged-in demo account: its cookie and CSRF token.
#[derive(Debug, Clone)]
pub(super) struct Session {
    cookie: String,
    csrf: String,
}

impl Session {
    pub(super) async fn login(addr: SocketAddr, username: &str) -> anyhow::Result<Self> {
        let mut client = Client::connect(addr).await?;
        let body = serde_json::json!({"username": username, "password": demo::DEMO_PASSWORD}).to_string();
        let request = Request::post("/api/v1/session")
            .header(header::HOST, "127.0.0.1")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))?;
        let (status, headers, bytes) = client.send_full(request).await?;
        if status != StatusCode::CREATED {
            bail!("{username} 登录失败：{status} {}", String::from_utf8_lossy(&bytes));
        }
        let cookie = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("dj_session="))
            .and_then(|v| v.split(';').next())
            .context("登录响应中没有会话 Cookie")?
            .to_owned();
        let me: serde_json::Value = serde_json::from_slice(&bytes)?;
        Ok(Self { cookie, csrf: me["csrf_token"].as_str().unwrap_or_default().to_owned() })
    }

    pub(super) fn request(&self, method: Method, path: &str, json: Option<&str>) -> anyhow::Result<Request<Body>> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1")
            .header(header::COOKIE, &self.cookie)
            .header(crate::auth::csrf::HEADER, &self.csrf);
        if json.is_some() {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        Ok(builder.body(json.map_or_else(Body::empty, |j| Body::from(j.to_owned())))?)
    }

    pub(super) fn upload(&self, path: &str, bytes: Bytes) -> anyhow::Result<Request<Body>> {
        Ok(Request::post(path)
            .header(header::HOST, "127.0.0.1")
            .header(header::COOKIE, &self.cookie)
            .header(crate::auth::csrf::HEADER, &self.csrf)
            .header(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .body(Body::from(bytes))?)
    }
}

/// One kept-alive HTTP/1.1 connection.
pub(super) struct Client {
    sender: hyper::client::conn::http1::SendRequest<Body>,
}

impl Client {
    pub(super) async fn connect(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self { sender })
    }

    pub(super) async fn send_full(
        &mut self,
        request: Request<Body>,
    ) -> anyhow::Result<(StatusCode, header::HeaderMap, Bytes)> {
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(Body::new(body), usize::MAX).await?;
        Ok((parts.status, parts.headers, bytes))
    }

    pub(super) async fn send(&mut self, request: Request<Body>) -> anyhow::Result<(StatusCode, Bytes)> {
        let (status, _, bytes) = self.send_full(request).await?;
        Ok((status, bytes))
    }
}

/// The server under test: `dangjian serve` in its own process.
pub(super) struct Server {
    child: tokio::process::Child,
    pub(super) addr: SocketAddr,
}

impl Server {
    pub(super) async fn start(options: &Options, url: &str) -> anyhow::Result<Self> {
        let mut child = tokio::process::Command::new(&options.server_exe)
            .arg("--config")
            .arg(&options.config_file)
            .arg("--db")
            .arg(url)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .envs(options.server_env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("无法启动 {}", options.server_exe.display()))?;
        let stdout = child.stdout.take().context("服务没有标准输出")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let Some(line) = tokio::time::timeout(Duration::from_secs(120), lines.next_line()).await?? else {
                bail!("服务启动失败（见上面的错误输出）");
            };
            if let Some((_, rest)) = line.split_once("http://") {
                break rest.trim().parse::<SocketAddr>().with_context(|| format!("服务地址无法识别：{line}"))?;
            }
        };
        // Keep reading its output so that the pipe never fills.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, addr })
    }

    /// The server process's peak resident memory (VmHWM), in MB.
    pub(super) fn peak_rss_mb(&self) -> f64 {
        let Some(pid) = self.child.id() else {
            return 0.0;
        };
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1024.0)
    }

    pub(super) async fn stop(&mut self) {
        if let Some(pid) = self.child.id() {
            // SIGTERM: the server finishes its requests and writes its stop checkpoint.
            let _ = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
        }
        if tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}
