//! The benchmarks' HTTP/1.1 client, plain `std::net`: keep-alive connections whose every request
//! must be answered within a time limit, signing in with email and password for a session cookie,
//! and waiting for a server to listen.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Why a request got no complete answer.
#[derive(Debug)]
pub enum Failure {
    /// No complete answer within the time limit.
    Hang,
    /// Connecting, writing or reading failed, or the answer was not HTTP.
    Io(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Hang => write!(f, "no answer in time"),
            Failure::Io(err) => write!(f, "{err}"),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::Hang,
            _ => Failure::Io(err.to_string()),
        }
    }
}

/// One answer: its status, the body's length, and whether the server keeps the connection open.
pub struct Answer {
    pub status: u16,
    pub bytes: usize,
    pub keep_alive: bool,
}

/// A stream whose reads stop at a deadline (each read waits only for the time left).
struct Deadlined {
    stream: TcpStream,
    deadline: Instant,
}

impl Read for Deadlined {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// A keep-alive connection; each request has `limit` to be answered in full.
pub struct Connection {
    reader: BufReader<Deadlined>,
    host: String,
    limit: Duration,
}

impl Connection {
    pub fn open(address: &str, limit: Duration) -> Result<Self, Failure> {
        let target = address
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| Failure::Io(format!("{address} names no address")))?;
        let stream = TcpStream::connect_timeout(&target, limit)?;
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(limit))?;
        Ok(Self {
            reader: BufReader::new(Deadlined {
                stream,
                deadline: Instant::now() + limit,
            }),
            host: address.to_owned(),
            limit,
        })
    }

    /// One GET with the session cookie; the body is read and counted, not kept.
    pub fn get(&mut self, path: &str, cookie: &str) -> Result<Answer, Failure> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nAccept: text/html,application/json\r\n\r\n",
            self.host
        );
        Ok(self.exchange(request.as_bytes())?.0)
    }

    /// One POST of a JSON body; returns the answer and its headers.
    fn post_json(&mut self, path: &str, body: &str) -> Result<(Answer, Vec<String>), Failure> {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.exchange(request.as_bytes())
    }

    /// Writes one request and reads its answer, all within the time limit.
    fn exchange(&mut self, request: &[u8]) -> Result<(Answer, Vec<String>), Failure> {
        self.reader.get_mut().deadline = Instant::now() + self.limit;
        self.reader.get_mut().stream.write_all(request)?;
        self.read_answer()
    }

    fn read_answer(&mut self) -> Result<(Answer, Vec<String>), Failure> {
        let mut line = String::new();
        self.read_line(&mut line)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| Failure::Io(format!("bad status line `{}`", line.trim_end())))?;
        let (mut length, mut chunked, mut keep_alive) = (None, false, true);
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let lower = header.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse::<usize>().ok();
            } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            } else if lower.starts_with("connection:") && lower.contains("close") {
                keep_alive = false;
            }
            headers.push(header.to_owned());
        }
        let bytes = if chunked {
            self.read_chunks()?
        } else if let Some(n) = length {
            self.skip(n)?;
            n
        } else if status == 204 || status == 304 {
            0
        } else {
            // No length: the body runs to the end of the connection.
            keep_alive = false;
            io::copy(&mut self.reader, &mut io::sink())? as usize
        };
        let answer = Answer {
            status,
            bytes,
            keep_alive,
        };
        Ok((answer, headers))
    }

    fn read_chunks(&mut self) -> Result<usize, Failure> {
        let mut line = String::new();
        let mut total = 0;
        loop {
            line.clear();
            self.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
                .map_err(|e| Failure::Io(format!("bad chunk size `{}`: {e}", line.trim())))?;
            self.skip(size + 2)?;
            total += size;
            if size == 0 {
                return Ok(total);
            }
        }
    }

    /// Reads and drops `n` bytes of the body.
    fn skip(&mut self, n: usize) -> Result<(), Failure> {
        let read = io::copy(&mut (&mut self.reader).take(n as u64), &mut io::sink())?;
        if read < n as u64 {
            return Err(Failure::Io("connection closed inside the body".into()));
        }
        Ok(())
    }

    fn read_line(&mut self, line: &mut String) -> Result<(), Failure> {
        if self.reader.read_line(line)? == 0 {
            return Err(Failure::Io("connection closed by the server".into()));
        }
        Ok(())
    }
}

/// Signs in with `POST /api/v1/session`; returns the session cookie (`name=value`).
pub fn sign_in(address: &str, email: &str, password: &str) -> Result<String, String> {
    let body = format!(r#"{{"email":"{email}","password":"{password}"}}"#);
    let mut connection =
        Connection::open(address, Duration::from_secs(30)).map_err(|e| e.to_string())?;
    let (answer, headers) = connection
        .post_json("/api/v1/session", &body)
        .map_err(|e| format!("sign-in: {e}"))?;
    headers
        .iter()
        .find_map(|h| {
            let (name, value) = h.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie").then_some(value)
        })
        .and_then(|c| c.trim().split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| format!("sign-in as {email} failed: HTTP {}", answer.status))
}

/// Waits until something listens on `address` (at most 30 s).
pub fn wait_for(address: &str) -> Result<(), String> {
    let started = Instant::now();
    while TcpStream::connect(address).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            return Err(format!("nothing listens on {address} after 30 s"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

/// A port that was free a moment ago.
pub fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that answers each connection's requests with `answers`, in turn, then holds.
    fn server(answers: &'static [&'static str]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            for answer in answers {
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
                    line.clear();
                }
                stream.write_all(answer.as_bytes()).unwrap();
            }
            std::thread::sleep(Duration::from_secs(5));
        });
        address
    }

    #[test]
    fn reads_sized_and_chunked_answers_on_one_connection() {
        let address = server(&[
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            "HTTP/1.1 302 Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
            "HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        ]);
        let mut connection = Connection::open(&address, Duration::from_secs(5)).unwrap();
        let first = connection.get("/", "a=b").unwrap();
        assert_eq!(
            (first.status, first.bytes, first.keep_alive),
            (200, 5, true)
        );
        let second = connection.get("/", "a=b").unwrap();
        assert_eq!((second.status, second.bytes), (302, 5));
        let third = connection.get("/", "a=b").unwrap();
        assert_eq!((third.status, third.keep_alive), (500, false));
    }

    #[test]
    fn a_request_without_an_answer_in_time_is_a_hang() {
        let address = server(&["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"]);
        let mut connection = Connection::open(&address, Duration::from_millis(300)).unwrap();
        let started = Instant::now();
        assert!(matches!(connection.get("/", "a=b"), Err(Failure::Hang)));
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
