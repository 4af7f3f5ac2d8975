//! The smoke run of `dangjian bench` (issue 15, item 8): the small bureau, two clients, a fraction
//! of a second per page, a 200-row import, so that the tool keeps working. No timing is asserted.

use std::time::Duration;

use dangjian::cli::bench::{self, Options, PAGES};
use dangjian::config::{Config, DatabaseUrl};
use dangjian::demo::Scale;

use crate::support::{AUDIT_KEY, TestApp, backends};

#[tokio::test]
async fn the_benchmark_drives_every_page_and_the_import_without_errors() {
    for backend in backends() {
        let app = TestApp::spawn_empty(backend).await;
        let mut config = Config::default();
        config.database.url = DatabaseUrl(app.db_url.clone());
        config.audit.key = AUDIT_KEY.into();
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            scale: Scale::Small,
            seed: 1,
            clients: 2,
            duration: Duration::from_millis(250),
            import_rows: 200,
            server_exe: env!("CARGO_BIN_EXE_dangjian").into(),
            config_file: dir.path().join("none.toml"),
            only: Vec::new(),
            server_env: vec![("DANGJIAN__AUDIT__KEY".into(), AUDIT_KEY.into())],
            slowest: 2,
        };
        let report = bench::run(config, options).await.unwrap();
        assert!(report.generated.is_some(), "the empty database got the demo bureau");
        assert_eq!(report.pages.len(), PAGES.len(), "{backend:?}");
        for page in &report.pages {
            assert!(page.requests > 0, "{backend:?} {}", page.name);
            assert_eq!(page.errors, 0, "{backend:?} {}: every request succeeded", page.name);
            assert!(page.statements > 0, "{backend:?} {}: its statements were captured", page.name);
        }
        let burst = report.login_burst.as_ref().expect("the login burst was measured");
        assert!(burst.page.requests > 0 && burst.logins > 0, "{backend:?}: the page was driven while logins arrived");
        assert_eq!(burst.page.errors, 0, "{backend:?}: no request failed during the logins");
        let (_, bytes) = report.export.unwrap();
        assert!(bytes > 1_000);
        assert_eq!(report.import_preview.map(|(_, s)| s), Some(200));
        let (_, status, created) = report.import_commit.unwrap();
        assert_eq!((status, created), (201, 200), "{backend:?}: the generated roster went in whole");
        assert!(report.peak_rss_mb > 0.0 && report.peak_rss_mb >= report.peak_rss_load_mb);
        app.finish().await;
    }
}
