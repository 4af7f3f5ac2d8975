//! A sanction's effects read by the other domains through `discipline::store::in_effect`
//! (issue 13, item 3): a member under 留党察看 has no vote in a 党员大会 (not counted for its
//! quorum) and cannot be graded 优秀 in 民主评议 or in the 年度考核 of the year.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::on_all_backends;

const MINUTES: &str = "支部党员大会讨论了发展党员和年度工作，书记通报了支部半年来的工作情况，党员逐一发言，\
    会议按照程序进行了表决，并对下一阶段的社区警务和矛盾纠纷化解工作作了安排。";

fn present(people: &[i64]) -> Vec<Value> {
    people.iter().map(|p| json!({"person_id": p, "status": "出席"})).collect()
}

#[tokio::test]
async fn a_member_under_probation_has_no_vote_and_cannot_be_graded_excellent() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let jijian = app.login("jijian").await;
        let expected_url = "/api/v1/meetings/expected?org=10&type=general&date=2026-11-10";
        let (_, expected) = shuji.get_json(expected_url).await;
        let full: Vec<i64> = expected
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["member_kind"] == "正式党员")
            .map(|m| m["person_id"].as_i64().unwrap())
            .collect();
        assert!(full.len() >= 4, "the demo branch has full members: {expected}");
        let (_, police) =
            shuji.get_json("/api/v1/persons?org=10&kind=民警&political_status=中共党员&page_size=50").await;
        let p = police["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .find(|id| full.contains(id))
            .expect("a full member who is a 民警");

        let (status, saved) = jijian
            .send_json(
                Method::POST,
                "/api/v1/sanctions",
                json!({"person_id": p, "kind": "留党察看", "probation_years": 1,
                "decided_on": "2026-10-01", "effective_on": "2026-10-01", "facts": "违规查询公民个人信息",
                "decided_by": "中共海滨市公安局纪律检查委员会"}),
            )
            .await;
        assert_eq!(status, 201, "{saved}");

        // 党章第二十八条: no vote during 留党察看 — not counted for the 党员大会's quorum.
        let (status, m) = shuji
            .send_json(
                Method::POST,
                "/api/v1/meetings",
                json!({"org_id": 10, "type": "general", "held_on": "2026-11-10",
                "topic": "讨论发展党员", "minutes": MINUTES, "attendance": present(&full)}),
            )
            .await;
        assert_eq!(status, 201, "{m}");
        let voters = full.len() - 1;
        assert_eq!(m["quorum"], json!({"expected": voters, "present": voters, "met": true}));
        let seat =
            |id: i64| m["attendance"].as_array().unwrap().iter().find(|a| a["person_id"] == id).cloned().unwrap();
        assert_eq!(seat(p)["voting"], false, "{m}");
        let other = *full.iter().find(|id| **id != p).unwrap();
        assert_eq!(seat(other)["voting"], true, "{m}");

        // 民主评议: refused 优秀 with the reason naming the member, nothing saved.
        let grades: Vec<Value> = full
            .iter()
            .map(|id| json!({"person_id": id, "status": "出席", "grade": if *id == p { "优秀" } else { "合格" }}))
            .collect();
        let (_, before) = shuji.get_json("/api/v1/meetings?org=10&type=review").await;
        let (status, err) = shuji
            .send_json(
                Method::POST,
                "/api/v1/meetings",
                json!({"org_id": 10, "type": "review", "held_on": "2026-11-12",
                "topic": "民主评议党员", "minutes": MINUTES, "attendance": grades}),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        assert!(err.to_string().contains("处分影响期内，不能评为优秀"), "{err}");
        let (_, after) = shuji.get_json("/api/v1/meetings?org=10&type=review").await;
        assert_eq!(after["total"], before["total"], "nothing saved");

        // 年度考核 of 2026: 优秀 refused (the period runs to 2027-10-01), 称职 recorded.
        let url = format!("/api/v1/persons/{p}/appraisals");
        let (status, err) = shuji.send_json(Method::POST, &url, json!({"year": "2026", "grade": "优秀"})).await;
        assert_eq!(status, 422, "{err}");
        assert!(err.to_string().contains("grade") && err.to_string().contains("不得确定为优秀"), "{err}");
        let (status, ok) = shuji.send_json(Method::POST, &url, json!({"year": "2026", "grade": "称职"})).await;
        assert_eq!(status, 201, "{ok}");
        app
    })
    .await;
}
