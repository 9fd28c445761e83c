//! HR's per-client limit holds across replicas: the window is counted in the database.

use super::*;

async fn token(client: &reqwest::Client, replica: &Replica) -> String {
    let body: Value = client
        .post(at(replica, "/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().expect("a token").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hr_limit_of_60_a_minute_lets_exactly_60_of_180_requests_through_three_replicas() {
    let Some((database, _turn)) = database("replicas::rate_limit").await else {
        return;
    };
    let replicas = spawn_replicas(3, &database.url, "[hr]\nrate_limit_per_minute = 60\n").await;
    let client = reqwest::Client::new();
    // 180 requests of one client: the token request (the window's first) and 179 reads,
    // sent at once, spread evenly over the three replicas.
    let token = token(&client, &replicas[0]).await;
    let reads = (0..179).map(|i| {
        let replica = &replicas[i % 3];
        let request = client
            .get(at(replica, "/core/v1/employees"))
            .bearer_auth(&token)
            .header("Tenant", "demo");
        async move {
            let response = request.send().await.unwrap();
            let retry_after = response.headers().get("retry-after").cloned();
            (i % 3, response.status().as_u16(), retry_after)
        }
    });
    let answers = futures::future::join_all(reads).await;
    let admitted = 1 + answers.iter().filter(|(_, status, _)| *status == 200).count();
    let refused: Vec<_> = answers.iter().filter(|(_, status, _)| *status == 429).collect();
    assert_eq!(admitted, 60, "{answers:?}");
    assert_eq!(refused.len(), 120, "{answers:?}");
    // Each replica got 59 or 60 of the reads and only 59 were admitted in all: every
    // replica refused some, so none counted for itself alone.
    for index in 0..3 {
        assert!(
            refused.iter().any(|(i, _, _)| *i == index),
            "replica {index} refused none"
        );
    }
    for (_, _, retry_after) in &refused {
        let secs: u64 = retry_after
            .as_ref()
            .expect("Retry-After")
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&secs), "{secs}");
    }
    let counted: i64 = sqlx::query_scalar("SELECT count FROM hr_rate_windows WHERE client_id = 'demo-client'")
        .fetch_one(&pool(&database).await)
        .await
        .unwrap();
    assert_eq!(counted, 180);
}

async fn pool(database: &TestDatabase) -> sqlx::PgPool {
    sqlx::PgPool::connect(&database.url).await.unwrap()
}
