//! Replicas starting at the same moment on an empty database: each runs the migrations
//! and loads the demo data, and none fails (PostgreSQL's advisory locks take turns).

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_migrating_and_seeding_an_empty_database_at_once_all_succeed() {
    let Some(database) = TestDatabase::create(Backend::Postgres).await else {
        eprintln!("JEMBATAN_TEST_POSTGRES_URL not set: replicas::startup (PostgreSQL only) skipped");
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    // `jembatan demo` starts as `serve --demo` does (migrations, then the demo data) and exits.
    let runs = (0..3).map(|_| cli(&database, &["demo"]));
    for (ok, out, err) in futures::future::join_all(runs).await {
        assert!(ok, "a concurrent start failed: {out}{err}");
    }
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    let (applied, versions): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&pool)
            .await
            .unwrap();
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .unwrap()
        .count() as i64;
    assert_eq!((applied, versions), (files, files), "each migration applied once");
    let members: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ppob_members WHERE memberid = 'DEMO01'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(members, 1);
    let clients: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hr_clients WHERE client_id = 'demo-client'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(clients, 1);
}
