//! Body capture: the first bytes of a request or response body, kept on the way and masked by
//! their structure (JSON, forms), or a summary of what went by.

use std::fmt::Write as _;
use std::io::IoSlice;
use std::sync::{Arc, Mutex};

use bytes::Buf;
use http::HeaderMap;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use http_body::Frame;

use crate::privacy::Masker;

/// What kind of text a body is, by its `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Json,
    Form,
    /// Summarized only: the media type (empty when there is none).
    Other(Box<str>),
}

/// The longest media type (and content encoding) written in a summary.
const MAX_MEDIA_TYPE: usize = 64;

impl Kind {
    fn of(headers: &HeaderMap) -> Kind {
        let header =
            |name| headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).to_ascii_lowercase());
        let content_type = header(CONTENT_TYPE).unwrap_or_default();
        let mut params = content_type.split(';').map(str::trim);
        let media = params.next().unwrap_or_default();
        // Text in another charset (UTF-16) or compressed would be kept as garbage the masking
        // cannot read: such bodies are summarized.
        let charset_ok = params
            .filter_map(|p| p.strip_prefix("charset="))
            .all(|c| matches!(c.trim_matches('"'), "utf-8" | "utf8" | "us-ascii"));
        let encoding = header(CONTENT_ENCODING).filter(|e| !e.trim().is_empty() && e.trim() != "identity");
        let text_kind = if media == "application/json"
            || (media.starts_with("application/") && media.ends_with("+json"))
        {
            Some(Kind::Json)
        } else if media == "application/x-www-form-urlencoded" {
            Some(Kind::Form)
        } else {
            None
        };
        match text_kind {
            Some(kind) if charset_ok && encoding.is_none() => kind,
            _ => {
                let mut summary = media.to_owned();
                if let Some(encoding) = encoding {
                    if !summary.is_empty() {
                        summary.push_str(", ");
                    }
                    summary.push_str(encoding.trim());
                }
                let mut cut = summary.len().min(MAX_MEDIA_TYPE);
                while !summary.is_char_boundary(cut) {
                    cut -= 1;
                }
                Kind::Other(summary[..cut].into())
            }
        }
    }
}

/// The part of one body kept for the log, and how much of it went by.
#[derive(Debug)]
pub(crate) struct Capture {
    kind: Kind,
    /// The most bytes kept.
    limit: usize,
    kept: Vec<u8>,
    /// Bytes that went by, kept or not.
    seen: u64,
    /// Whether the body reached its end.
    pub(super) ended: bool,
    /// A request body that may hold data, and its size when the request says: a body that
    /// nobody read is then marked as such.
    unread: Option<Option<u64>>,
    masker: Option<Arc<Masker>>,
}

/// A request body's capture, shared by the body (which fills it) and the action (which reads it).
pub(crate) type SharedCapture = Arc<Mutex<Capture>>;

/// How bodies of one direction are captured: at most `limit` bytes kept, masked by `masker`
/// (none: masking is off).
#[derive(Debug, Clone)]
pub(crate) struct CaptureRule {
    pub(crate) limit: usize,
    pub(crate) masker: Option<Arc<Masker>>,
}

impl CaptureRule {
    /// The capture of a body that comes with these headers.
    pub(crate) fn start(&self, headers: &HeaderMap) -> Capture {
        Capture {
            kind: Kind::of(headers),
            limit: self.limit,
            kept: Vec::new(),
            seen: 0,
            ended: false,
            unread: None,
            masker: self.masker.clone(),
        }
    }
}

impl CaptureRule {
    /// The capture of a request body: as [`start`](Self::start), and a body the request says
    /// it has (`Content-Length` above zero, or `Transfer-Encoding`) is marked when the
    /// handler never reads it.
    pub(crate) fn start_request(&self, headers: &HeaderMap) -> Capture {
        let length = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
        let unread = match length {
            Some(0) => None,
            Some(length) => Some(Some(length)),
            None => headers.contains_key(TRANSFER_ENCODING).then_some(None),
        };
        Capture { unread, ..self.start(headers) }
    }
}

impl Capture {
    fn keep(&mut self, data: &impl Buf) {
        let len = data.remaining();
        self.seen = self.seen.saturating_add(len as u64);
        if self.kind != Kind::Json && self.kind != Kind::Form {
            return;
        }
        let want = self.limit.saturating_sub(self.kept.len()).min(len);
        if want == 0 {
            return;
        }
        let mut slices = [IoSlice::new(&[]); 16];
        let count = data.chunks_vectored(&mut slices);
        let before = self.kept.len();
        for slice in &slices[..count] {
            let room = want - (self.kept.len() - before);
            self.kept.extend_from_slice(&slice[..slice.len().min(room)]);
        }
        if self.kept.len() - before < want {
            // More chunks than one look shows: stop here rather than keep bytes with a gap.
            self.limit = self.kept.len();
        }
    }

    /// The body as it is logged (see [`RequestBody`]), or `None` for an empty body.
    pub(crate) fn describe(&self) -> Option<String> {
        if self.seen == 0 {
            return match self.unread {
                Some(_) if self.ended => None,
                Some(Some(size)) => Some(format!("[{size} bytes, not read by the handler]")),
                Some(None) => Some("[not read by the handler]".to_owned()),
                None => None,
            };
        }
        let mut out = String::new();
        if let Kind::Other(media) = &self.kind {
            out.push('[');
            if !media.is_empty() {
                let _ = write!(out, "{media}, ");
            }
            let _ = write!(out, "{} bytes", self.seen);
            if !self.ended {
                out.push_str(", incomplete");
            }
            out.push(']');
            return Some(out);
        }
        // A cut in the middle of a character drops the character; other invalid bytes are
        // replaced.
        let cut = (self.kept.len() as u64) < self.seen;
        let whole = match std::str::from_utf8(&self.kept) {
            Err(e) if cut && e.error_len().is_none() => &self.kept[..e.valid_up_to()],
            _ => &self.kept[..],
        };
        let text = String::from_utf8_lossy(whole);
        // Masked before the markers are added, so that nothing masks a marker.
        match (&self.masker, &self.kind) {
            (Some(m), Kind::Json) => out.push_str(&m.mask_json(&text)),
            (Some(m), _) => out.push_str(&m.mask_form(&text)),
            (None, _) => out.push_str(&text),
        }
        let left_out = self.seen - whole.len() as u64;
        if left_out > 0 {
            let _ = write!(out, "…[truncated {left_out} bytes]");
        }
        if !self.ended {
            out.push_str("…[incomplete]");
        }
        Some(out)
    }

    pub(crate) fn describe_shared(shared: &SharedCapture) -> Option<String> {
        shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner).describe()
    }

    fn end(&mut self) {
        self.ended = true;
    }

    /// Takes note of one polled frame: keeps its data, and marks the end of the body when there
    /// is no frame or the body says it has ended (`at_end`).
    pub(super) fn observe<D: Buf, E>(&mut self, frame: &Option<Result<Frame<D>, E>>, at_end: bool) {
        if let Some(data) = frame.as_ref().and_then(|f| f.as_ref().ok()).and_then(Frame::data_ref) {
            self.keep(data);
        }
        if frame.is_none() || at_end {
            self.end();
        }
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;
    use crate::config::MaskStyle;

    fn capture(content_type: &str, limit: usize) -> Capture {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        let masker = Some(Arc::new(Masker::new([] as [&str; 0], MaskStyle::Partial)));
        CaptureRule { limit, masker }.start(&headers)
    }

    fn fed(mut capture: Capture, chunks: &[&[u8]], ended: bool) -> Option<String> {
        for chunk in chunks {
            capture.keep(&bytes::Bytes::copy_from_slice(chunk));
        }
        if ended {
            capture.end();
        }
        capture.describe()
    }

    #[test]
    fn json_and_forms_are_kept_masked_and_capped() {
        let json = capture("application/json; charset=utf-8", 1024);
        assert_eq!(
            fed(json, &[br#"{"email":"a@b.c","#, br#""password":"hunter2"}"#], true).as_deref(),
            Some(r#"{"email":"a@b.c","password":"****"}"#)
        );
        let problem = capture("application/problem+json", 23);
        assert_eq!(
            fed(problem, &[br#"{"title":"x","token":"abcdefghijkl"}"#], true).as_deref(),
            Some(r#"{"title":"x","token":"****"…[truncated 13 bytes]"#)
        );
        let form = capture("Application/X-WWW-Form-Urlencoded", 1024);
        assert_eq!(
            fed(form, &[b"user=ann&pass", b"word=hunter22"], true).as_deref(),
            Some("user=ann&password=****")
        );
    }

    #[test]
    fn other_bodies_are_summarized_by_type_and_size() {
        assert_eq!(
            fed(capture("image/png", 4), &[&[0; 10], &[1; 5]], true).as_deref(),
            Some("[image/png, 15 bytes]")
        );
        assert_eq!(
            fed(capture("multipart/form-data; boundary=x", 4), &[&[0; 3]], false).as_deref(),
            Some("[multipart/form-data, 3 bytes, incomplete]")
        );
        assert_eq!(fed(capture("text/plain", 4), &[], true), None);
        let mut none = CaptureRule { limit: 4, masker: None }.start(&HeaderMap::new());
        none.keep(&bytes::Bytes::from_static(b"abc"));
        none.end();
        assert_eq!(none.describe().as_deref(), Some("[3 bytes]"));
    }

    #[test]
    fn a_request_body_the_handler_never_read_is_marked() {
        let rule = CaptureRule { limit: 64, masker: None };
        let request = |headers: &[(http::HeaderName, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
            }
            rule.start_request(&map)
        };
        let json = (CONTENT_TYPE, "application/json");
        assert_eq!(
            request(&[json.clone(), (CONTENT_LENGTH, "120")]).describe().as_deref(),
            Some("[120 bytes, not read by the handler]")
        );
        assert_eq!(
            request(&[(TRANSFER_ENCODING, "chunked")]).describe().as_deref(),
            Some("[not read by the handler]")
        );
        // No body, an empty one, or one read to its end with nothing in it: nothing to say.
        assert_eq!(request(std::slice::from_ref(&json)).describe(), None);
        assert_eq!(request(&[json.clone(), (CONTENT_LENGTH, "0")]).describe(), None);
        assert_eq!(fed(request(&[(TRANSFER_ENCODING, "chunked")]), &[], true), None);
        // Read: what was read.
        assert_eq!(
            fed(request(&[json, (CONTENT_LENGTH, "7")]), &[b"{\"a\":1}"], true).as_deref(),
            Some("{\"a\":1}")
        );
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        let json = capture("application/json", 4);
        assert_eq!(
            fed(json, &["\"éé\"".as_bytes()], false).as_deref(),
            Some("\"é…[truncated 3 bytes]…[incomplete]")
        );
    }
}
