//! The 组织生活 story in the browser: a secretary records a 支委会 with attendance and submits;
//! the sub-bureau's party admin returns it with an opinion; the secretary sees it on the home
//! page, corrects and resubmits with an answer; it is approved; the quarter's compliance table
//! for the branch changes from 未到期 to 已开.

use fantoccini::Locator;

use super::Browser;
use crate::support::{Backend, PASSWORD, TestApp};

async fn logout(b: &Browser) {
    b.client.find(Locator::Css("form[action='/logout'] button")).await.unwrap().click().await.unwrap();
    b.wait_url("/login").await;
}

async fn click(b: &Browser, id: &str) {
    b.client.find(Locator::Id(id)).await.unwrap().click().await.unwrap();
}

async fn committee_november(b: &Browser, app: &TestApp) -> String {
    b.client.goto(&app.url("/meetings/compliance?org=10&period=2026-Q4")).await.unwrap();
    let units = b.text(Locator::Id("units")).await;
    units.lines().find(|l| l.contains("支部委员会") && l.contains("2026年11月")).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_committee_meeting_is_returned_corrected_approved_and_counted_in_the_browser() {
    let Some(b) = Browser::start().await else { return };
    let app = TestApp::spawn(Backend::Sqlite).await;
    // `fenju`: the demo's party admin of the sub-bureau above branch 10.
    b.login(&app, "shuji", PASSWORD).await;
    assert!(committee_november(&b, &app).await.contains("未到期"));
    b.client.goto(&app.url("/meetings")).await.unwrap();
    click(&b, "new-meeting").await;
    b.wait_url("/meetings/new").await;
    // The form opens on the secretary's branch, a 支委会 today, the committee prefilled.
    let attendance = b.text(Locator::Id("attendance")).await;
    assert!(attendance.contains("正式党员"), "{attendance}");
    b.client.find(Locator::Id("topic")).await.unwrap().send_keys("研究下月主题党日安排").await.unwrap();
    b.client.find(Locator::Id("place")).await.unwrap().send_keys("三楼会议室").await.unwrap();
    b.client
        .find(Locator::Id("minutes"))
        .await
        .unwrap()
        .send_keys("传达市局党委通知精神，研究确定下月主题党日的内容。")
        .await
        .unwrap();
    click(&b, "save-meeting").await;
    b.wait_url("/meetings/").await;
    assert_eq!(b.text(Locator::Id("meeting-status")).await, "草稿");
    let record = b.client.current_url().await.unwrap().path().to_owned();
    click(&b, "submit-meeting").await;
    for _ in 0..50 {
        if b.text(Locator::Id("meeting-status")).await.contains("已提交") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(b.text(Locator::Id("meeting-status")).await.contains("已提交"));
    logout(&b).await;

    // The sub-bureau returns it with an opinion.
    b.login(&app, "fenju", PASSWORD).await;
    b.client.goto(&app.url(&record)).await.unwrap();
    b.client.find(Locator::Id("opinion-text")).await.unwrap().send_keys("请写明主题党日的具体分工").await.unwrap();
    click(&b, "return").await;
    b.wait_url(&record).await;
    for _ in 0..50 {
        if b.text(Locator::Id("meeting-status")).await == "已退回" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(b.text(Locator::Id("meeting-status")).await, "已退回");
    logout(&b).await;

    // The secretary sees the opinion on the home page, corrects and answers.
    b.login(&app, "shuji", PASSWORD).await;
    let home = b.text(Locator::Css("main")).await;
    assert!(home.contains("被上级退回：请写明主题党日的具体分工"), "{home}");
    b.client.find(Locator::XPath("//a[contains(., '请写明主题党日的具体分工')]")).await.unwrap().click().await.unwrap();
    b.wait_url(&record).await;
    click(&b, "edit-meeting").await;
    b.wait_url("/edit").await;
    b.client
        .find(Locator::Id("decisions"))
        .await
        .unwrap()
        .send_keys("组织委员负责组织，宣传委员负责学习材料。")
        .await
        .unwrap();
    click(&b, "save-meeting").await;
    b.wait_url(&record).await;
    b.client.find(Locator::Id("answer")).await.unwrap().send_keys("已补充分工").await.unwrap();
    click(&b, "submit-meeting").await;
    for _ in 0..50 {
        if b.text(Locator::Id("meeting-status")).await.contains("已提交") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    logout(&b).await;

    b.login(&app, "fenju", PASSWORD).await;
    b.client.goto(&app.url(&record)).await.unwrap();
    assert!(b.text(Locator::Id("opinion")).await.contains("已补充分工"));
    click(&b, "approve").await;
    for _ in 0..50 {
        if b.text(Locator::Id("meeting-status")).await == "已通过" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(b.text(Locator::Id("meeting-status")).await, "已通过");
    logout(&b).await;

    b.login(&app, "shuji", PASSWORD).await;
    let line = committee_november(&b, &app).await;
    assert!(line.contains("已开"), "{line}");
    b.snapshot("meetings-compliance").await;
    b.stop().await;
    app.finish().await;
}
