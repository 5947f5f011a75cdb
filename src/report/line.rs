//! One log line, read as far as the reports need it.
//!
//! The reader walks the JSON object and keeps, as slices of the line, only the values the
//! reports use; every other value is checked for shape and skipped. It is a strict reader of
//! JSON's structure (a line torn by a crash, a narrative text line or trailing garbage is
//! refused) but does not check what it skips inside strings: the bytes of a value no report
//! reads are not validated as UTF-8, and a raw control character inside a string is let
//! through. Reading this way is about three times as fast as parsing the line with
//! `serde_json` into a `Value` (BENCHMARKS.md, "Usage reports over the log files").
//!
//! It reads both formats of the layer's file (`LOG_FORMAT`): the `activity` line, and the ECS
//! document, whose values are found at their ECS names (`@timestamp`, `event.action`,
//! `event.duration` in nanoseconds, `user.id`, `client.ip`, `http.request.id`,
//! `http.response.status_code`, `url.original`, `labels.session_id`) and under `activity`.

use std::borrow::Cow;

use crate::fields::json as key;

/// How deep objects and arrays may nest in a line (as `serde_json`'s default limit).
const MAX_DEPTH: u32 = 128;

/// A line that is not a JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotJson;

/// A JSON string of the line, as written: the bytes between its quotes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Text<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> Text<'a> {
    /// A string as written between its quotes.
    pub(crate) fn written(raw: &'a [u8]) -> Self {
        Text { raw, escaped: memchr::memchr(b'\\', raw).is_some() }
    }

    /// The string's value, unescaped. Bytes that are not UTF-8 become U+FFFD.
    pub(crate) fn get(self) -> Cow<'a, str> {
        if !self.escaped {
            return String::from_utf8_lossy(self.raw);
        }
        let mut quoted = Vec::with_capacity(self.raw.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(self.raw);
        quoted.push(b'"');
        let quoted = String::from_utf8_lossy(&quoted);
        // The reader found the closing quote, so only a bad escape can fail here: keep the text
        // as written then.
        serde_json::from_str::<String>(&quoted)
            .map(Cow::Owned)
            .unwrap_or_else(|_| Cow::Owned(String::from_utf8_lossy(self.raw).into_owned()))
    }

    /// The string as written, when it has no escapes.
    pub(crate) fn raw(self) -> &'a [u8] {
        self.raw
    }

    /// Whether the string is empty.
    pub(crate) fn is_empty(self) -> bool {
        self.raw.is_empty()
    }
}

/// The values of a line that the reports read. Each is `None` when the line does not have it,
/// has `null`, or has a value of another type.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub(crate) timestamp: Option<Text<'a>>,
    pub(crate) event: Option<Text<'a>>,
    /// `dropped` of a `lines_dropped` notice. (Numbers are kept as written, and read when
    /// asked for.)
    pub(crate) dropped: Option<&'a str>,
    pub(crate) action_type: Option<Text<'a>>,
    pub(crate) description: Option<Text<'a>>,
    pub(crate) result: Option<Text<'a>>,
    pub(crate) duration_ms: Option<&'a str>,
    /// `event.duration` of an ECS document, in nanoseconds.
    pub(crate) duration_ns: Option<&'a str>,
    pub(crate) slow: Option<Text<'a>>,
    /// `action.data.status_code`: the HTTP middleware's actions have it.
    pub(crate) status_code: Option<&'a str>,
    /// `action.data.feature`, the feature the middleware also writes into the action.
    pub(crate) data_feature: Option<Text<'a>>,
    pub(crate) session_id: Option<Text<'a>>,
    pub(crate) user_id: Option<Text<'a>>,
    pub(crate) ip_address: Option<Text<'a>>,
    pub(crate) request_id: Option<Text<'a>>,
    pub(crate) url: Option<Text<'a>>,
    pub(crate) feature: Option<Text<'a>>,
}

/// The keys the reader looks for, as bytes to match on.
mod names {
    use crate::fields::{self, json as key};

    pub(super) const TIMESTAMP: &[u8] = key::TIMESTAMP.as_bytes();
    pub(super) const EVENT: &[u8] = key::EVENT.as_bytes();
    pub(super) const DROPPED: &[u8] = key::DROPPED.as_bytes();
    pub(super) const ACTION: &[u8] = key::ACTION.as_bytes();
    pub(super) const SESSION: &[u8] = key::SESSION.as_bytes();
    pub(super) const CONTEXT: &[u8] = key::CONTEXT.as_bytes();
    pub(super) const ACTION_TYPE: &[u8] = fields::ACTION_TYPE.as_bytes();
    pub(super) const DESCRIPTION: &[u8] = fields::DESCRIPTION.as_bytes();
    pub(super) const RESULT: &[u8] = fields::RESULT.as_bytes();
    pub(super) const DURATION_MS: &[u8] = fields::DURATION_MS.as_bytes();
    pub(super) const SLOW: &[u8] = key::SLOW.as_bytes();
    pub(super) const DATA: &[u8] = key::DATA.as_bytes();
    /// The middleware's `status_code` in `action.data`.
    pub(super) const STATUS_CODE: &[u8] = b"status_code";
    pub(super) const FEATURE: &[u8] = fields::FEATURE.as_bytes();
    pub(super) const SESSION_ID: &[u8] = fields::SESSION_ID.as_bytes();
    pub(super) const USER_ID: &[u8] = fields::USER_ID.as_bytes();
    pub(super) const IP_ADDRESS: &[u8] = fields::IP_ADDRESS.as_bytes();
    pub(super) const REQUEST_ID: &[u8] = fields::REQUEST_ID.as_bytes();
    pub(super) const URL: &[u8] = fields::URL.as_bytes();

    /// The names of an ECS document (`LOG_FORMAT=ecs`).
    pub(super) mod ecs {
        pub(in super::super) const TIMESTAMP: &[u8] = b"@timestamp";
        pub(in super::super) const USER: &[u8] = b"user";
        pub(in super::super) const CLIENT: &[u8] = b"client";
        pub(in super::super) const HTTP: &[u8] = b"http";
        pub(in super::super) const URL: &[u8] = b"url";
        pub(in super::super) const LABELS: &[u8] = b"labels";
        pub(in super::super) const ACTIVITY: &[u8] = b"activity";
        pub(in super::super) const ACTION: &[u8] = b"action";
        pub(in super::super) const DURATION: &[u8] = b"duration";
        pub(in super::super) const ID: &[u8] = b"id";
        pub(in super::super) const IP: &[u8] = b"ip";
        pub(in super::super) const ADDRESS: &[u8] = b"address";
        pub(in super::super) const REQUEST: &[u8] = b"request";
        pub(in super::super) const RESPONSE: &[u8] = b"response";
        pub(in super::super) const ORIGINAL: &[u8] = b"original";
        pub(in super::super) const KIND: &[u8] = b"kind";
    }
}

impl<'a> Line<'a> {
    /// Reads one line (without its newline).
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Self, NotJson> {
        let mut reader = Reader { bytes, pos: 0 };
        let mut line = Line::default();
        reader.object(0, |r, name| {
            match name.raw {
                names::TIMESTAMP | names::ecs::TIMESTAMP => line.timestamp = r.text()?,
                // A text in the activity line, an object in an ECS document.
                names::EVENT if r.peek() == Some(b'{') => {
                    r.object(1, |r, name| line.ecs_event_field(r, name))?
                }
                names::EVENT => line.event = r.text()?,
                names::ecs::USER => r.member_text(1, names::ecs::ID, &mut line.user_id)?,
                names::ecs::CLIENT => r.object_or_skip(1, |r, name| match name.raw {
                    names::ecs::IP => {
                        line.ip_address = r.text()?;
                        Ok(())
                    }
                    // `client.ip` wins over the address, whichever comes first.
                    names::ecs::ADDRESS => {
                        let address = r.text()?;
                        line.ip_address = line.ip_address.or(address);
                        Ok(())
                    }
                    _ => r.skip_value(2),
                })?,
                names::ecs::HTTP => r.object_or_skip(1, |r, name| line.ecs_http_field(r, name))?,
                names::ecs::URL => r.member_text(1, names::ecs::ORIGINAL, &mut line.url)?,
                names::ecs::LABELS => r.member_text(1, names::SESSION_ID, &mut line.session_id)?,
                names::ecs::ACTIVITY => r.object_or_skip(1, |r, name| line.ecs_activity_field(r, name))?,
                names::DROPPED => line.dropped = r.number()?,
                names::ACTION => r.object_or_skip(1, |r, name| line.action_field(r, name))?,
                names::SESSION => r.object_or_skip(1, |r, name| line.session_field(r, name))?,
                names::CONTEXT => r.object_or_skip(1, |r, name| line.context_field(r, name))?,
                _ => r.skip_value(1)?,
            }
            Ok(())
        })?;
        reader.skip_space();
        if reader.pos != bytes.len() {
            return Err(NotJson);
        }
        Ok(line)
    }

    fn action_field(&mut self, r: &mut Reader<'a>, name: Text<'a>) -> Result<(), NotJson> {
        match name.raw {
            names::ACTION_TYPE => self.action_type = r.text()?,
            names::DESCRIPTION => self.description = r.text()?,
            names::RESULT => self.result = r.text()?,
            names::DURATION_MS => self.duration_ms = r.number()?,
            names::SLOW => self.slow = r.text()?,
            names::DATA => r.object_or_skip(2, |r, name| {
                match name.raw {
                    names::STATUS_CODE => self.status_code = r.number()?,
                    names::FEATURE => self.data_feature = r.text()?,
                    _ => r.skip_value(3)?,
                }
                Ok(())
            })?,
            _ => r.skip_value(2)?,
        }
        Ok(())
    }

    fn ecs_event_field(&mut self, r: &mut Reader<'a>, name: Text<'a>) -> Result<(), NotJson> {
        match name.raw {
            names::ecs::ACTION => self.action_type = r.text()?,
            names::ecs::DURATION => self.duration_ns = r.number()?,
            _ => r.skip_value(2)?,
        }
        Ok(())
    }

    fn ecs_http_field(&mut self, r: &mut Reader<'a>, name: Text<'a>) -> Result<(), NotJson> {
        match name.raw {
            names::ecs::REQUEST => r.member_text(2, names::ecs::ID, &mut self.request_id),
            names::ecs::RESPONSE => r.object_or_skip(2, |r, name| match name.raw {
                names::STATUS_CODE => {
                    self.status_code = r.number()?;
                    Ok(())
                }
                _ => r.skip_value(3),
            }),
            _ => r.skip_value(2),
        }
    }

    /// The custom `activity` namespace of an ECS document.
    fn ecs_activity_field(&mut self, r: &mut Reader<'a>, name: Text<'a>) -> Result<(), NotJson> {
        match name.raw {
            names::ecs::KIND => self.event = r.text()?,
            names::DESCRIPTION => self.description = r.text()?,
            names::RESULT => self.result = r.text()?,
            names::SLOW => self.slow = r.text()?,
            names::FEATURE => self.feature = r.text()?,
            names::DROPPED => self.dropped = r.number()?,
            names::DATA => r.member_text(2, names::FEATURE, &mut self.data_feature)?,
            _ => r.skip_value(2)?,
        }
        Ok(())
    }

    fn session_field(&mut self, r: &mut Reader<'a>, name: Text<'a>) -> Result<(), NotJson> {
        match name.raw {
            names::SESSION_ID => self.session_id = r.text()?,
            names::USER_ID => self.user_id = r.text()?,
            names::IP_ADDRESS => self.ip_address = r.text()?,
            _ => r.skip_value(2)?,
        }
        Ok(())
    }

    fn context_field(&mut self, r: &mut Reader<'a>, name: Text<'a>) -> Result<(), NotJson> {
        match name.raw {
            names::REQUEST_ID => self.request_id = r.text()?,
            names::URL => self.url = r.text()?,
            names::FEATURE => self.feature = r.text()?,
            _ => r.skip_value(2)?,
        }
        Ok(())
    }

    /// Whether the line is an action (`"event":"user_action"`).
    pub(crate) fn is_action(&self) -> bool {
        self.event.is_some_and(|e| e.raw == key::USER_ACTION.as_bytes())
    }

    /// `action.duration_ms`, or an ECS document's `event.duration` in milliseconds.
    pub(crate) fn duration_ms(&self) -> Option<f64> {
        match (self.duration_ms, self.duration_ns) {
            (Some(ms), _) => ms.parse().ok(),
            (None, Some(ns)) => ns.parse::<f64>().ok().map(|ns| ns / 1e6),
            (None, None) => None,
        }
    }

    /// `action.data.status_code`, when it is one.
    pub(crate) fn status_code(&self) -> Option<u16> {
        self.status_code.and_then(|n| n.parse().ok())
    }

    /// `dropped` of a `lines_dropped` notice.
    pub(crate) fn dropped(&self) -> Option<u64> {
        self.dropped.and_then(|n| n.parse().ok())
    }
}

/// A cursor over the line's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Skips space, then takes `byte` or fails.
    #[inline]
    fn expect(&mut self, byte: u8) -> Result<(), NotJson> {
        self.skip_space();
        if self.peek() != Some(byte) {
            return Err(NotJson);
        }
        self.pos += 1;
        Ok(())
    }

    /// An object, calling `field` with each name; `field` must read the value.
    fn object(
        &mut self,
        depth: u32,
        mut field: impl FnMut(&mut Self, Text<'a>) -> Result<(), NotJson>,
    ) -> Result<(), NotJson> {
        if depth >= MAX_DEPTH {
            return Err(NotJson);
        }
        self.expect(b'{')?;
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_space();
            let name = self.string()?;
            self.expect(b':')?;
            self.skip_space();
            field(self, name)?;
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(NotJson),
            }
        }
    }

    /// [`object`](Self::object) when the value is one, else the value skipped.
    #[inline]
    fn object_or_skip(
        &mut self,
        depth: u32,
        field: impl FnMut(&mut Self, Text<'a>) -> Result<(), NotJson>,
    ) -> Result<(), NotJson> {
        if self.peek() == Some(b'{') { self.object(depth, field) } else { self.skip_value(depth) }
    }

    /// An object of which only the text member `name` is kept, in `slot`; any other value is
    /// skipped.
    fn member_text(&mut self, depth: u32, name: &[u8], slot: &mut Option<Text<'a>>) -> Result<(), NotJson> {
        self.object_or_skip(depth, |r, key| {
            if key.raw == name {
                *slot = r.text()?;
                Ok(())
            } else {
                r.skip_value(depth + 1)
            }
        })
    }

    /// A string value, or `None` after skipping a value of another type.
    #[inline]
    fn text(&mut self) -> Result<Option<Text<'a>>, NotJson> {
        if self.peek() == Some(b'"') {
            return self.string().map(Some);
        }
        self.skip_value(1).map(|()| None)
    }

    /// A number value as written, or `None` after skipping a value of another type.
    fn number(&mut self) -> Result<Option<&'a str>, NotJson> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                self.skip_number()?;
                // The number's bytes are ASCII digits, signs, `.` and `e`.
                Ok(std::str::from_utf8(&self.bytes[start..self.pos]).ok())
            }
            _ => self.skip_value(1).map(|()| None),
        }
    }

    /// The string at the cursor (which must be at its opening quote).
    #[inline(always)]
    fn string(&mut self) -> Result<Text<'a>, NotJson> {
        if self.peek() != Some(b'"') {
            return Err(NotJson);
        }
        let start = self.pos + 1;
        let mut at = start;
        let mut escaped = false;
        loop {
            let rest = self.bytes.get(at..).ok_or(NotJson)?;
            match find_quote_or_backslash(rest) {
                Some(i) if rest[i] == b'"' => {
                    self.pos = at + i + 1;
                    return Ok(Text { raw: &self.bytes[start..at + i], escaped });
                }
                // A backslash and the character it escapes (`\u` is followed by hex digits, which
                // need no care here).
                Some(i) => {
                    escaped = true;
                    at += i + 2;
                }
                None => return Err(NotJson),
            }
        }
    }

    fn skip_number(&mut self) -> Result<(), NotJson> {
        let digits = |r: &mut Self| {
            let start = r.pos;
            while let Some(b'0'..=b'9') = r.peek() {
                r.pos += 1;
            }
            if r.pos == start { Err(NotJson) } else { Ok(()) }
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        // No leading zeros: `0` or a digit from 1 to 9 followed by digits.
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else {
            digits(self)?;
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            digits(self)?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            digits(self)?;
        }
        Ok(())
    }

    fn skip_literal(&mut self, word: &[u8]) -> Result<(), NotJson> {
        if self.bytes.get(self.pos..self.pos + word.len()) != Some(word) {
            return Err(NotJson);
        }
        self.pos += word.len();
        Ok(())
    }

    /// Skips one value of any type.
    fn skip_value(&mut self, depth: u32) -> Result<(), NotJson> {
        match self.peek().ok_or(NotJson)? {
            b'"' => self.string().map(drop),
            b'{' => self.object(depth, |r, _| r.skip_value(depth + 1)),
            b'[' => self.skip_array(depth),
            b't' => self.skip_literal(b"true"),
            b'f' => self.skip_literal(b"false"),
            b'n' => self.skip_literal(b"null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => Err(NotJson),
        }
    }

    fn skip_array(&mut self, depth: u32) -> Result<(), NotJson> {
        if depth >= MAX_DEPTH {
            return Err(NotJson);
        }
        self.expect(b'[')?;
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_space();
            self.skip_value(depth + 1)?;
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(NotJson),
            }
        }
    }
}

/// The first `"` or `\\` in `bytes`, eight bytes at a time. Most strings of a line are a few
/// dozen bytes, where this beats a vectorized search that first has to set itself up (measured:
/// BENCHMARKS.md, "What we tried").
#[inline(always)]
fn find_quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = ONES << 7;
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    // A byte of `x` is zero where the high bit of this is set (the lowest such bit is exact,
    // higher ones may be false alarms after it, which `trailing_zeros` never reaches).
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let found = zero_bytes(word ^ QUOTES) | zero_bytes(word ^ BACKSLASHES);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| b == b'"' || b == b'\\').map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"timestamp":"2026-12-07T05:27:20.358161Z","level":"WARN","event":"user_action","narrative":"📝 User user123 submitted form 'POST /user-queries' at 05:27:20 → ❌ Result: HTTP 422 UNPROCESSABLE ENTITY (took 0.42ms)","action":{"action_type":"form_submission","description":"POST /user-queries","result":"HTTP 422 UNPROCESSABLE ENTITY","success":false,"duration_ms":0.416,"timestamp":"2026-12-07T05:27:20.358161Z","data":{"status_code":422,"feature":"user-queries","nested":[1,{"a":[true,false,null]},-2.5e-3]}},"session":{"session_id":"ba51","user_id":"user\"123","ip_address":"127.0.0.1","user_agent":"curl/7.88.1","current_page":"/user-queries","referrer":null},"context":{"request_id":"f425","method":"POST","url":"/user-queries","feature":"user-queries"},"environment":"development"}"#;

    /// The values both [`LINE`] and [`ECS`] hold.
    fn assert_reads_the_form_submission(line: &Line<'_>) {
        let get = |t: Option<Text<'_>>| t.map(|t| t.get().into_owned());
        assert!(line.is_action());
        assert_eq!(get(line.timestamp).as_deref(), Some("2026-12-07T05:27:20.358161Z"));
        assert_eq!(get(line.action_type).as_deref(), Some("form_submission"));
        assert_eq!(get(line.description).as_deref(), Some("POST /user-queries"));
        assert_eq!(get(line.result).as_deref(), Some("HTTP 422 UNPROCESSABLE ENTITY"));
        assert_eq!(line.duration_ms(), Some(0.416));
        assert_eq!(line.status_code(), Some(422));
        assert_eq!(get(line.data_feature).as_deref(), Some("user-queries"));
        assert_eq!(get(line.session_id).as_deref(), Some("ba51"));
        assert_eq!(get(line.user_id).as_deref(), Some("user\"123"));
        assert_eq!(get(line.ip_address).as_deref(), Some("127.0.0.1"));
        assert_eq!(get(line.request_id).as_deref(), Some("f425"));
        assert_eq!(get(line.url).as_deref(), Some("/user-queries"));
        assert_eq!(get(line.feature).as_deref(), Some("user-queries"));
    }

    #[test]
    fn reads_the_values_the_reports_use() {
        let line = Line::parse(LINE.as_bytes()).unwrap();
        assert_reads_the_form_submission(&line);
        assert_eq!(line.slow, None);
    }

    const ECS: &str = r#"{"@timestamp":"2026-12-07T05:27:20.358161Z","log":{"level":"WARN"},"message":"📝 …","ecs":{"version":"9.4.0"},"event":{"kind":"event","action":"form_submission","outcome":"failure","duration":416000},"user":{"id":"user\"123"},"client":{"ip":"127.0.0.1","address":"unknown"},"http":{"request":{"id":"f425","method":"POST"},"response":{"status_code":422}},"url":{"original":"/user-queries","path":"/user-queries"},"labels":{"session_id":"ba51"},"service":{"environment":"development"},"activity":{"kind":"user_action","description":"POST /user-queries","result":"HTTP 422 UNPROCESSABLE ENTITY","slow":"slow","feature":"user-queries","data":{"feature":"user-queries","nested":[1,{"a":[true]}]}}}"#;

    #[test]
    fn reads_an_ecs_document_as_its_activity_line() {
        let line = Line::parse(ECS.as_bytes()).unwrap();
        // `client.ip` wins over the `client.address` after it.
        assert_reads_the_form_submission(&line);
        assert_eq!(line.slow.map(|t| t.get().into_owned()).as_deref(), Some("slow"));
        let notice = r#"{"@timestamp":"2026-12-07T05:27:21.000000Z","event":{"kind":"event","action":"lines_dropped"},"activity":{"kind":"lines_dropped","dropped":12}}"#;
        let notice = Line::parse(notice.as_bytes()).unwrap();
        assert_eq!((notice.dropped(), notice.is_action()), (Some(12), false));
        for end in 0..ECS.len() {
            assert!(Line::parse(&ECS.as_bytes()[..end]).is_err(), "prefix of {end} bytes");
        }
    }

    #[test]
    fn every_prefix_of_a_line_is_refused() {
        // A line torn by a crash is a prefix of a whole one.
        for end in 0..LINE.len() {
            assert_eq!(Line::parse(&LINE.as_bytes()[..end]).err(), Some(NotJson), "prefix of {end} bytes");
        }
    }

    #[test]
    fn agrees_with_serde_json_on_what_is_json() {
        let cases = [
            r#"{}"#,
            r#" { "a" : [ 1 , 2 ] } "#,
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":-}"#,
            r#"{"a":1.}"#,
            r#"{"a":1e}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
            r#"{"a" 1}"#,
            r#"{"a":1}}"#,
            r#"{"a":1} x"#,
            r#"[1,2]"#,
            r#""text""#,
            r#"{"a":[1,]}"#,
            r#"{"a":"\"}"#,
            r#"{"a":"\\"}"#,
            r#"{1:2}"#,
            "2024-01-15T14:30:25.123456Z [INFO] 📍 User user123 navigated to '/x'",
        ];
        for case in cases {
            let serde_object = serde_json::from_str::<serde_json::Value>(case).is_ok_and(|v| v.is_object());
            assert_eq!(Line::parse(case.as_bytes()).is_ok(), serde_object, "{case}");
        }
    }

    #[test]
    fn values_of_another_type_are_absent() {
        let line = Line::parse(
            br#"{"event":1,"action":"x","session":{"user_id":null,"session_id":["s"]},"context":{"feature":{"a":1}}}"#,
        )
        .unwrap();
        assert!(line.event.is_none() && line.action_type.is_none() && line.user_id.is_none());
        assert!(line.session_id.is_none() && line.feature.is_none());
    }

    #[test]
    fn the_word_search_finds_the_first_quote_or_backslash() {
        for len in 0..40 {
            for at in 0..len {
                for byte in [b'"', b'\\'] {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    if at + 1 < len {
                        text[at + 1] = b'"';
                    }
                    assert_eq!(find_quote_or_backslash(&text), Some(at), "{len} {at}");
                }
            }
            assert_eq!(find_quote_or_backslash(&vec![b'x'; len]), None);
        }
        // Bytes one above or below the searched ones, and high bytes, are not matches.
        assert_eq!(find_quote_or_backslash(b"!#[]\x01\xff\xc3\xa9\x21\x23\x5b\x5d\""), Some(12));
    }

    #[test]
    fn nesting_is_limited() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert_eq!(Line::parse(deep.as_bytes()).err(), Some(NotJson));
        let fine = format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(Line::parse(fine.as_bytes()).is_ok());
    }
}
