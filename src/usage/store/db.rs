//! The database under the store, SQLite or PostgreSQL, behind one small interface: the store's
//! SQL is written once, in the dialect both accept (`$1` parameters, `ON CONFLICT` upserts), with
//! the differences named in [`Dialect`].

use std::fmt;

/// A parameter of a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Text(s)
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(s: Option<&'a str>) -> Self {
        s.map_or(Value::Null, Value::Text)
    }
}

/// One row of a result, read by column.
pub(crate) trait Row {
    fn int(&self, column: usize) -> i64;
    /// A text column as it is in the row (empty when NULL): read without a copy, for the
    /// queries that read many rows.
    fn str(&self, column: usize) -> &str;

    fn text(&self, column: usize) -> String {
        self.str(column).to_owned()
    }
}

/// Where the two databases' SQL differs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect {
    /// The larger of two values: SQLite's scalar `MAX` is PostgreSQL's `GREATEST`.
    pub(crate) greatest: &'static str,
    /// The aggregate that joins texts (with a separator argument): `group_concat`, `string_agg`.
    pub(crate) concat: &'static str,
    /// What ends a table with a primary key: SQLite's `WITHOUT ROWID`.
    pub(crate) keyed_tables: &'static str,
}

/// What the database said when a statement failed.
#[derive(Debug)]
pub(crate) struct DbError(pub(crate) String);

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A connection inside one transaction.
pub(crate) trait Db {
    /// Runs a statement, returning the rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value<'_>]) -> Result<u64, DbError>;

    /// Runs a query, handing each row to `each`.
    fn query(
        &mut self,
        sql: &str,
        params: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row),
    ) -> Result<(), DbError>;

    /// Runs several statements without parameters.
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;

    /// Waits until no other writer is changing the store (for the rest of this transaction):
    /// one flush, rollup or migration at a time. PostgreSQL's `CREATE TABLE IF NOT EXISTS` fails
    /// when two sessions run it at once, and two rollups of one day would both add it to its
    /// month; SQLite's transactions already write one at a time.
    fn lock_store(&mut self) -> Result<(), DbError>;

    fn dialect(&self) -> Dialect;
}

/// The rows of `sql`, read into values by `read`.
pub(crate) fn rows<T>(
    db: &mut dyn Db,
    sql: &str,
    params: &[Value<'_>],
    read: impl Fn(&dyn Row) -> T,
) -> Result<Vec<T>, DbError> {
    let mut out = Vec::new();
    db.query(sql, params, &mut |row| out.push(read(row)))?;
    Ok(out)
}
