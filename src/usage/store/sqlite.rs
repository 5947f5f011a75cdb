//! The store in an embedded SQLite file (`rusqlite`, with SQLite compiled in).
//!
//! The file is in WAL mode, so the reports read while the flusher writes; a writer waits up to
//! five seconds for another.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, Transaction};

use super::db::{Db, DbError, Dialect, Row, Value};

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError(e.to_string())
    }
}

/// Opens (creating it and its directory) the SQLite file at `path`.
pub(crate) fn open(path: &Path) -> Result<Connection, DbError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| DbError(format!("cannot create {}: {e}", dir.display())))?;
    }
    let connection = Connection::open(path)?;
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(connection)
}

impl ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Int(n) => ValueRef::Integer(n),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Null => ValueRef::Null,
        }))
    }
}

impl Row for rusqlite::Row<'_> {
    fn int(&self, column: usize) -> i64 {
        match self.get_ref(column) {
            Ok(ValueRef::Integer(n)) => n,
            Ok(ValueRef::Real(x)) => x as i64,
            _ => 0,
        }
    }

    fn str(&self, column: usize) -> &str {
        match self.get_ref(column) {
            // The store writes only UTF-8; anything else reads as empty.
            Ok(ValueRef::Text(t)) => std::str::from_utf8(t).unwrap_or(""),
            _ => "",
        }
    }
}

impl Db for Transaction<'_> {
    fn exec(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64, DbError> {
        let mut statement = self.prepare_cached(sql)?;
        Ok(statement.execute(rusqlite::params_from_iter(params))? as u64)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row),
    ) -> Result<(), DbError> {
        let mut statement = self.prepare_cached(sql)?;
        let mut rows = statement.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            each(row);
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.execute_batch(sql)?)
    }

    fn lock_store(&mut self) -> Result<(), DbError> {
        Ok(())
    }

    fn dialect(&self) -> Dialect {
        Dialect { greatest: "MAX", concat: "group_concat", keyed_tables: " WITHOUT ROWID" }
    }
}
