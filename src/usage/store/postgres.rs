//! The store on PostgreSQL (feature `postgres`), shared by many instances of a service: each
//! adds its counts to the same rows with upserts, in one transaction per flush; flushes take
//! turns under an advisory lock ([`Db::lock_store`]), so that two never wait on each other's
//! rows in a cycle and a day is rolled up once.

use std::collections::HashMap;
use std::error::Error;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement, Transaction};

use super::db::{Db, DbError, Dialect, Row, Value};

/// Connects to `url` (`postgres://user:password@host:port/database`, or key-value settings).
pub(crate) fn connect(url: &str) -> Result<Connection, DbError> {
    let client = Client::connect(url, NoTls).map_err(|e| DbError(format!("cannot connect: {e}")))?;
    Ok(Connection { client, statements: HashMap::new() })
}

/// A client and the statements it prepared.
pub(crate) struct Connection {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// The server and database of `url`, without user or password: the store's name in messages.
pub(crate) fn display_name(url: &str) -> String {
    if let Some(rest) = url.split_once("://").map(|(_, rest)| rest) {
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        let host = host.split(['?', '#']).next().unwrap_or_default();
        return format!("postgres://{host}");
    }
    // Key-value settings: keep the host and the database.
    let kept: Vec<&str> = url
        .split_whitespace()
        .filter(|setting| ["host=", "hostaddr=", "port=", "dbname="].iter().any(|k| setting.starts_with(k)))
        .collect();
    format!("postgres ({})", kept.join(" "))
}

/// Runs `f` in one transaction, committed when it returns `Ok`.
pub(crate) fn transaction<T>(
    connection: &mut Connection,
    f: impl FnOnce(&mut dyn Db) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let tx = connection.client.transaction().map_err(error)?;
    let mut db = PgTransaction { tx, statements: &mut connection.statements };
    let out = f(&mut db)?;
    db.tx.commit().map_err(error)?;
    Ok(out)
}

fn error(e: postgres::Error) -> DbError {
    DbError(match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    })
}

struct PgTransaction<'a> {
    tx: Transaction<'a>,
    statements: &'a mut HashMap<String, Statement>,
}

impl PgTransaction<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.tx.prepare(sql).map_err(error)?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

fn params<'a>(values: &'a [Value<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Db for PgTransaction<'_> {
    fn exec(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, DbError> {
        let statement = self.statement(sql)?;
        self.tx.execute(&statement, &params(values)).map_err(error)
    }

    fn query(
        &mut self,
        sql: &str,
        values: &[Value<'_>],
        each: &mut dyn FnMut(&dyn Row),
    ) -> Result<(), DbError> {
        let statement = self.statement(sql)?;
        for row in self.tx.query(&statement, &params(values)).map_err(error)? {
            each(&row);
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.tx.batch_execute(sql).map_err(error)
    }

    fn lock_store(&mut self) -> Result<(), DbError> {
        // Any number of the store's own: "usage" in ASCII.
        self.tx.batch_execute("SELECT pg_advisory_xact_lock(1970496869)").map_err(error)
    }

    fn dialect(&self) -> Dialect {
        Dialect { greatest: "GREATEST", concat: "string_agg", keyed_tables: "" }
    }
}

impl Row for postgres::Row {
    fn int(&self, column: usize) -> i64 {
        let ty = self.columns().get(column).map(|c| c.type_().clone());
        match ty {
            Some(Type::INT2) => self.try_get::<_, Option<i16>>(column).ok().flatten().map(i64::from),
            Some(Type::INT4) => self.try_get::<_, Option<i32>>(column).ok().flatten().map(i64::from),
            _ => self.try_get::<_, Option<i64>>(column).ok().flatten(),
        }
        .unwrap_or(0)
    }

    fn str(&self, column: usize) -> &str {
        self.try_get::<_, Option<&str>>(column).ok().flatten().unwrap_or("")
    }
}

impl ToSql for Value<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match *self {
            Value::Int(n) => match *ty {
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                _ => n.to_sql(ty, out),
            },
            Value::Text(s) => s.to_sql(ty, out),
            Value::Null => Ok(IsNull::Yes),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT2 | Type::INT4 | Type::INT8 | Type::TEXT | Type::VARCHAR)
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_display_name_never_holds_the_password() {
        assert_eq!(
            display_name("postgres://app:hunter2@db.internal:5432/usage"),
            "postgres://db.internal:5432/usage"
        );
        assert_eq!(display_name("postgresql://db/usage?sslmode=disable"), "postgres://db/usage");
        let kv = display_name("host=/run/postgresql dbname=usage user=app password=hunter2");
        assert_eq!(kv, "postgres (host=/run/postgresql dbname=usage)");
    }
}
