//! The store's one door to sqlx. sqlx's generic API wants a long list of trait bounds (an
//! executor for connections, encodable arguments, and every bound and read type encodable
//! and decodable in the database) at every generic function that runs a query, and Rust does
//! not carry a trait's `where` clauses over to its users. So the bounds are written once, on
//! the blanket impl of [`Sql`], whose methods are the few sqlx calls the store makes; the
//! rest of the crate is generic over `DB: Sql` alone and talks to sqlx through
//! [`query`], [`ListQuery`] and [`run_script`], which keep sqlx's method names.

use futures::future::BoxFuture;
use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Encode, Executor, IntoArguments, Pool, QueryBuilder, Row, Type};

use crate::backend::{Backend, Value};

/// A query of the store, before or after its parameters are bound.
pub(crate) type SqlQuery<'q, DB> = Query<'q, DB, <DB as Database>::Arguments>;

/// A value the store binds: the handful of types the schema uses.
#[derive(Debug, Clone)]
pub enum Param<'a> {
    /// Borrowed text.
    Str(&'a str),
    /// Owned text.
    Text(String),
    /// Nullable text.
    OptText(Option<String>),
    /// An integer (also timestamps, as microseconds).
    Int(i64),
    /// A nullable integer.
    OptInt(Option<i64>),
    /// A boolean.
    Flag(bool),
    /// Bytes (file contents).
    Bytes(&'a [u8]),
}

impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(value: &'a [u8]) -> Self {
        Param::Bytes(value)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(value: &'a str) -> Self {
        Param::Str(value)
    }
}

impl From<String> for Param<'_> {
    fn from(value: String) -> Self {
        Param::Text(value)
    }
}

impl From<Option<String>> for Param<'_> {
    fn from(value: Option<String>) -> Self {
        Param::OptText(value)
    }
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Param::Int(value)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(value: Option<i64>) -> Self {
        Param::OptInt(value)
    }
}

impl From<bool> for Param<'_> {
    fn from(value: bool) -> Self {
        Param::Flag(value)
    }
}

/// Where a statement runs: on the pool, or on a connection (inside a transaction).
pub enum On<'e, DB: Database> {
    /// Any connection of the pool.
    Pool(&'e Pool<DB>),
    /// This connection.
    Connection(&'e mut DB::Connection),
}

impl<'e, DB: Database> From<&'e Pool<DB>> for On<'e, DB> {
    fn from(pool: &'e Pool<DB>) -> Self {
        On::Pool(pool)
    }
}

impl<'e, DB: Database> From<&'e mut DB::Connection> for On<'e, DB> {
    fn from(connection: &'e mut DB::Connection) -> Self {
        On::Connection(connection)
    }
}

/// A database the store runs on, with the sqlx calls the store makes. Implemented for every
/// [`Backend`] (so for SQLite and PostgreSQL); the methods are the building blocks of the
/// crate's own statement types, not meant to be called directly.
pub trait Sql: Backend {
    /// Binds the next `$N` parameter.
    fn bind_param<'q>(query: SqlQuery<'q, Self>, value: Param<'_>) -> SqlQuery<'q, Self>;
    /// Pushes a bound parameter onto a dynamic query.
    fn push_param(builder: &mut QueryBuilder<Self>, value: Param<'_>);
    /// Runs a statement for its effect.
    fn run<'e>(query: SqlQuery<'e, Self>, on: On<'e, Self>) -> BoxFuture<'e, sqlx::Result<()>>;
    /// Runs a query for at most one row.
    fn row<'e>(
        query: SqlQuery<'e, Self>,
        on: On<'e, Self>,
    ) -> BoxFuture<'e, sqlx::Result<Option<Self::Row>>>;
    /// Runs a query for every row.
    fn rows<'e>(
        query: SqlQuery<'e, Self>,
        on: On<'e, Self>,
    ) -> BoxFuture<'e, sqlx::Result<Vec<Self::Row>>>;
    /// Runs a script of several statements (simple-query protocol).
    fn script<'e>(sql: &'static str, on: On<'e, Self>) -> BoxFuture<'e, sqlx::Result<()>>;
    /// A non-null text column.
    fn text(row: &Self::Row, col: &str) -> sqlx::Result<String>;
    /// A nullable text column.
    fn opt_text(row: &Self::Row, col: &str) -> sqlx::Result<Option<String>>;
    /// A non-null integer column.
    fn int(row: &Self::Row, col: &str) -> sqlx::Result<i64>;
    /// A nullable integer column.
    fn opt_int(row: &Self::Row, col: &str) -> sqlx::Result<Option<i64>>;
    /// A boolean column.
    fn flag(row: &Self::Row, col: &str) -> sqlx::Result<bool>;
    /// A binary column.
    fn bytes(row: &Self::Row, col: &str) -> sqlx::Result<Vec<u8>>;
}

/// The sqlx bounds, once.
impl<DB> Sql for DB
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'a> &'a str: ColumnIndex<DB::Row> + Encode<'a, DB> + Type<DB>,
    String: Value<DB>,
    Option<String>: Value<DB>,
    i64: Value<DB>,
    Option<i64>: Value<DB>,
    bool: Value<DB>,
    for<'a> &'a [u8]: Encode<'a, DB> + Type<DB>,
    Vec<u8>: Value<DB>,
{
    fn bind_param<'q>(query: SqlQuery<'q, DB>, value: Param<'_>) -> SqlQuery<'q, DB> {
        match value {
            Param::Str(v) => query.bind(v),
            Param::Text(v) => query.bind(v),
            Param::OptText(v) => query.bind(v),
            Param::Int(v) => query.bind(v),
            Param::OptInt(v) => query.bind(v),
            Param::Flag(v) => query.bind(v),
            Param::Bytes(v) => query.bind(v),
        }
    }

    fn push_param(builder: &mut QueryBuilder<DB>, value: Param<'_>) {
        match value {
            Param::Str(v) => builder.push_bind(v),
            Param::Text(v) => builder.push_bind(v),
            Param::OptText(v) => builder.push_bind(v),
            Param::Int(v) => builder.push_bind(v),
            Param::OptInt(v) => builder.push_bind(v),
            Param::Flag(v) => builder.push_bind(v),
            Param::Bytes(v) => builder.push_bind(v),
        };
    }

    fn run<'e>(query: SqlQuery<'e, DB>, on: On<'e, DB>) -> BoxFuture<'e, sqlx::Result<()>> {
        Box::pin(async move {
            match on {
                On::Pool(pool) => query.execute(pool).await.map(drop),
                On::Connection(conn) => query.execute(conn).await.map(drop),
            }
        })
    }

    fn row<'e>(
        query: SqlQuery<'e, DB>,
        on: On<'e, DB>,
    ) -> BoxFuture<'e, sqlx::Result<Option<DB::Row>>> {
        Box::pin(async move {
            match on {
                On::Pool(pool) => query.fetch_optional(pool).await,
                On::Connection(conn) => query.fetch_optional(conn).await,
            }
        })
    }

    fn rows<'e>(
        query: SqlQuery<'e, DB>,
        on: On<'e, DB>,
    ) -> BoxFuture<'e, sqlx::Result<Vec<DB::Row>>> {
        Box::pin(async move {
            match on {
                On::Pool(pool) => query.fetch_all(pool).await,
                On::Connection(conn) => query.fetch_all(conn).await,
            }
        })
    }

    fn script<'e>(sql: &'static str, on: On<'e, DB>) -> BoxFuture<'e, sqlx::Result<()>> {
        Box::pin(async move {
            let script = sqlx::raw_sql(sql);
            match on {
                On::Pool(pool) => script.execute(pool).await.map(drop),
                On::Connection(conn) => script.execute(conn).await.map(drop),
            }
        })
    }

    fn text(row: &DB::Row, col: &str) -> sqlx::Result<String> {
        row.try_get(col)
    }

    fn opt_text(row: &DB::Row, col: &str) -> sqlx::Result<Option<String>> {
        row.try_get(col)
    }

    fn int(row: &DB::Row, col: &str) -> sqlx::Result<i64> {
        row.try_get(col)
    }

    fn opt_int(row: &DB::Row, col: &str) -> sqlx::Result<Option<i64>> {
        row.try_get(col)
    }

    fn flag(row: &DB::Row, col: &str) -> sqlx::Result<bool> {
        row.try_get(col)
    }

    fn bytes(row: &DB::Row, col: &str) -> sqlx::Result<Vec<u8>> {
        row.try_get(col)
    }
}

/// A statement with `$N` parameters, like `sqlx::query`.
pub(crate) fn query<DB: Sql>(sql: &'static str) -> Statement<'static, DB> {
    Statement(sqlx::query(sql))
}

/// A statement being bound and run (see [`query`]).
pub(crate) struct Statement<'q, DB: Database>(SqlQuery<'q, DB>);

impl<'q, DB: Sql> Statement<'q, DB> {
    /// Binds the next parameter.
    pub(crate) fn bind<'v>(self, value: impl Into<Param<'v>>) -> Self {
        Statement(DB::bind_param(self.0, value.into()))
    }

    /// Runs the statement for its effect.
    pub(crate) async fn execute<'e>(self, on: impl Into<On<'e, DB>>) -> sqlx::Result<()>
    where
        'q: 'e,
    {
        DB::run(self.0, on.into()).await
    }

    /// Runs the query for at most one row.
    pub(crate) async fn fetch_optional<'e>(
        self,
        on: impl Into<On<'e, DB>>,
    ) -> sqlx::Result<Option<DB::Row>>
    where
        'q: 'e,
    {
        DB::row(self.0, on.into()).await
    }

    /// Runs the query for exactly one row (`RowNotFound` otherwise).
    pub(crate) async fn fetch_one<'e>(self, on: impl Into<On<'e, DB>>) -> sqlx::Result<DB::Row>
    where
        'q: 'e,
    {
        DB::row(self.0, on.into())
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// Runs the query for every row.
    pub(crate) async fn fetch_all<'e>(self, on: impl Into<On<'e, DB>>) -> sqlx::Result<Vec<DB::Row>>
    where
        'q: 'e,
    {
        DB::rows(self.0, on.into()).await
    }
}

/// A query assembled at run time (optional filters, `IN` lists), like `sqlx::QueryBuilder`.
pub(crate) struct ListQuery<DB: Database>(QueryBuilder<DB>);

impl<DB: Sql> ListQuery<DB> {
    /// Starts with `sql`.
    pub(crate) fn new(sql: &'static str) -> Self {
        ListQuery(QueryBuilder::new(sql))
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.0.push(sql);
        self
    }

    /// Appends a bound parameter.
    pub(crate) fn push_bind<'v>(&mut self, value: impl Into<Param<'v>>) -> &mut Self {
        DB::push_param(&mut self.0, value.into());
        self
    }

    /// Appends `$a, $b, …`, one bound parameter per value.
    pub(crate) fn push_list<'v, V: Into<Param<'v>>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.0.push(", ");
            }
            DB::push_param(&mut self.0, value.into());
        }
        self
    }

    /// Runs the statement for its effect.
    pub(crate) async fn execute<'e>(&'e mut self, on: impl Into<On<'e, DB>>) -> sqlx::Result<()> {
        DB::run(self.0.build(), on.into()).await
    }

    /// Runs the query for every row.
    pub(crate) async fn fetch_all<'e>(
        &'e mut self,
        on: impl Into<On<'e, DB>>,
    ) -> sqlx::Result<Vec<DB::Row>> {
        DB::rows(self.0.build(), on.into()).await
    }
}

/// Runs a script of several statements (simple-query protocol: PostgreSQL accepts it even in
/// a failed transaction), like `sqlx::raw_sql(sql).execute(on)`.
pub(crate) async fn run_script<'e, DB: Sql>(
    sql: &'static str,
    on: impl Into<On<'e, DB>>,
) -> sqlx::Result<()> {
    DB::script(sql, on.into()).await
}
