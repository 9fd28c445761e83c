//! Nothing is lost: a burst bigger than the queue, a failing write, a refused row, a stop.

use super::*;
use crate::common::Backend;
use crate::db_test;

db_test!(
    a_burst_bigger_than_the_queue_loses_nothing,
    tiny_queue(2),
    |app| async move {
        let burst = 300;
        let statuses = futures::future::join_all((0..burst).map(|_| card_lookup(&app))).await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        assert!(
            journal_counter(&app, "jembatan_journal_backpressure_total") > 0.0,
            "the burst filled the queue of 2"
        );
        app.stop().await;
        assert_eq!(rows_with(&app, CARD_MASKED).await.len(), burst);
        assert_eq!(journal_counter(&app, "jembatan_journal_rejected_total"), 0.0);
    }
);

db_test!(a_batch_that_fails_is_written_again, |app| async move {
    let db = app.state.db.clone();
    db.execute_write(sqlx::query("ALTER TABLE journal RENAME TO journal_away"))
        .await
        .unwrap();
    for _ in 0..5 {
        assert_eq!(card_lookup(&app).await, 200);
    }
    failures_beyond(&app, 0.0, 1.0).await;
    db.execute_write(sqlx::query("ALTER TABLE journal_away RENAME TO journal"))
        .await
        .unwrap();
    let mut rows = Vec::new();
    for _ in 0..300 {
        rows = rows_with(&app, CARD_MASKED).await;
        if rows.len() >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(rows.len(), 5, "every entry of the failed batch, once: {rows:?}");
    app.stop().await;
    assert_eq!(rows_with(&app, CARD_MASKED).await.len(), 5);
});

db_test!(
    stop_keeps_writing_through_a_failing_database,
    tiny_queue(1024),
    |app| async move {
        let db = app.state.db.clone();
        db.execute_write(sqlx::query("ALTER TABLE journal RENAME TO journal_away"))
            .await
            .unwrap();
        for _ in 0..5 {
            assert_eq!(card_lookup(&app).await, 200);
        }
        let failed = failures_beyond(&app, 0.0, 1.0).await;
        // The flush the server's stop ends with, while the table is still away.
        let journal = app.state.journal.clone();
        let closing = tokio::spawn(async move { journal.close().await });
        failures_beyond(&app, failed, 2.0).await;
        assert!(!closing.is_finished(), "close gave up on the entries");
        db.execute_write(sqlx::query("ALTER TABLE journal_away RENAME TO journal"))
            .await
            .unwrap();
        closing.await.unwrap();
        assert_eq!(rows_with(&app, CARD_MASKED).await.len(), 5);
        app.stop().await;
    }
);

db_test!(
    a_row_the_database_refuses_does_not_hold_up_the_others,
    |app| async move {
        // A trigger refusing one path, as a constraint would.
        match app.backend {
            Backend::Sqlite => {
                app.state
                    .db
                    .execute_write(sqlx::query(
                        "CREATE TRIGGER journal_poison BEFORE INSERT ON journal \
                     WHEN instr(NEW.path_masked, 'poison') > 0 BEGIN SELECT RAISE(ABORT, 'poison'); END",
                    ))
                    .await
                    .unwrap();
            }
            Backend::Postgres => {
                for sql in [
                "CREATE FUNCTION journal_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF strpos(NEW.path_masked, 'poison') > 0 THEN \
                 RAISE EXCEPTION 'poison' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$",
                "CREATE TRIGGER journal_poison BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION journal_poison()",
            ] {
                app.state.db.execute_write(sqlx::query(sql)).await.unwrap();
            }
            }
        }
        let poison = app.client.get(app.at("/api/v1/bpjs/poison")).bearer_auth(TOKEN).send();
        let (_, statuses) = tokio::join!(poison, futures::future::join_all((0..20).map(|_| card_lookup(&app))));
        assert!(statuses.iter().all(|s| *s == 200));
        assert_eq!(
            card_lookup(&app).await,
            200,
            "the journal still takes entries afterwards"
        );
        app.stop().await;
        assert_eq!(rows_with(&app, CARD_MASKED).await.len(), 21);
        assert!(rows_with(&app, "poison").await.is_empty());
        assert_eq!(journal_counter(&app, "jembatan_journal_rejected_total"), 1.0);
    }
);
