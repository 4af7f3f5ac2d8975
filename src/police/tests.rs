use chrono::NaiveDate;

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn fields(r: Result<impl std::fmt::Debug, Problems>) -> Vec<&'static str> {
    r.unwrap_err().into_iter().map(|(f, _)| f).collect()
}

#[test]
fn the_thirteen_ranks_of_the_regulation_in_order() {
    // 人民警察警衔条例 第七条: 总警监、副总警监; 警监 一至三级; 警督 一至三级; 警司 一至三级; 警员 一、二级.
    assert_eq!(RANKS.len(), 13);
    assert_eq!((RANKS[0], RANKS[12]), ("总警监", "二级警员"));
    assert_eq!(GRADES.len(), 10);
    assert_eq!(AWARD_KINDS, ["嘉奖", "三等功", "二等功", "一等功", "荣誉称号"]);
}

#[test]
fn a_police_officer_takes_ranks_grades_and_posts_from_the_lists() {
    let input = PoliceInput {
        leader_post: "所长".into(),
        grade: "二级警长".into(),
        police_rank: "一级警司".into(),
        rank_on: "2020-10-01".into(),
        police_type: "治安管理".into(),
        establishment: "政法专项编制".into(),
        ..Default::default()
    };
    let v = validate(&input, "民警", today()).unwrap();
    assert_eq!(v.police_rank.as_deref(), Some("一级警司"));
    assert!(warnings(&v, "民警").is_empty());
    let bad = PoliceInput { police_rank: "一级警长".into(), grade: "警长".into(), ..input.clone() };
    let errors = validate(&bad, "民警", today()).unwrap_err();
    assert_eq!(errors.iter().map(|(f, _)| *f).collect::<Vec<_>>(), ["grade", "police_rank"]);
    assert!(errors[1].1.contains("警衔“一级警长”无效") && errors[1].1.contains("二级警员"), "{errors:?}");
    let future = PoliceInput { rank_on: "2027-01-01".into(), ..input };
    assert_eq!(fields(validate(&future, "民警", today())), ["rank_on"]);
}

#[test]
fn an_auxiliary_is_not_a_police_officer_and_holds_no_establishment() {
    let input = PoliceInput {
        police_rank: "二级警员".into(),
        grade: "一级警员".into(),
        rank_on: "2020-01-01".into(),
        establishment: "事业编制".into(),
        ..Default::default()
    };
    let errors = validate(&input, "辅警", today()).unwrap_err();
    assert_eq!(
        errors.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
        ["grade", "police_rank", "rank_on", "establishment"]
    );
    assert!(errors[1].1.contains("辅警不是人民警察"), "{errors:?}");
}

#[test]
fn contracts_belong_to_auxiliaries_and_cannot_end_before_they_start() {
    let contract = PoliceInput {
        aux_kind: "勤务辅警".into(),
        employer_kind: "派遣单位".into(),
        employer_name: "某某人力资源公司".into(),
        contract_start: "2025-03-01".into(),
        contract_end: "2028-02-29".into(),
        ..Default::default()
    };
    let v = validate(&contract, "辅警", today()).unwrap();
    assert_eq!(v.contract_end, NaiveDate::from_ymd_opt(2028, 2, 29), "a renewed contract ends in the future");
    let backwards = PoliceInput { contract_end: "2025-02-28".into(), ..contract.clone() };
    let errors = validate(&backwards, "辅警", today()).unwrap_err();
    assert_eq!(errors[0].0, "contract_end");
    assert!(errors[0].1.contains("早于合同开始"), "{errors:?}");
    assert_eq!(
        fields(validate(&contract, "民警", today())),
        ["aux_kind", "employer_kind", "employer_name", "contract_start", "contract_end"]
    );
    let direct = PoliceInput { employer_kind: "公安机关".into(), ..contract };
    assert_eq!(fields(validate(&direct, "辅警", today())), ["employer_name"]);
}

#[test]
fn missing_values_are_warnings_not_errors() {
    let v = validate(&PoliceInput::default(), "辅警", today()).unwrap();
    assert_eq!(warnings(&v, "辅警"), ["尚未登记辅警类别", "尚未登记劳动合同起止日期"]);
    let v = validate(&PoliceInput::default(), "民警", today()).unwrap();
    assert_eq!(warnings(&v, "民警"), ["尚未登记警衔"]);
    assert!(warnings(&v, "工勤").is_empty());
}

#[test]
fn awards_need_kind_date_and_body_and_an_honour_its_name() {
    let ok = AwardInput {
        kind: "三等功".into(),
        awarded_on: "2025-01-10".into(),
        granted_by: "市公安局".into(),
        ..Default::default()
    };
    assert_eq!(validate_award(&ok, today()).unwrap().kind, "三等功");
    assert_eq!(fields(validate_award(&AwardInput::default(), today())), ["kind", "awarded_on", "granted_by"]);
    let honour = AwardInput { kind: "荣誉称号".into(), ..ok.clone() };
    assert_eq!(fields(validate_award(&honour, today())), ["title"]);
    let titled = AwardInput { title: "全国优秀人民警察".into(), ..ok.clone() };
    assert_eq!(fields(validate_award(&titled, today())), ["title"]);
    let bad = AwardInput { kind: "记大功".into(), awarded_on: "2027-01-01".into(), ..ok };
    assert_eq!(fields(validate_award(&bad, today())), ["kind", "awarded_on"]);
}

#[test]
fn appraisal_grades_follow_the_kind_of_person() {
    let input =
        |year: &str, grade: &str| AppraisalInput { year: year.into(), grade: grade.into(), ..Default::default() };
    assert_eq!(validate_appraisal(&input("2025", "称职"), "民警", today()).unwrap().year, 2025);
    assert_eq!(validate_appraisal(&input("2025", "合格"), "辅警", today()).unwrap().grade, "合格");
    let errors = validate_appraisal(&input("2025", "称职"), "辅警", today()).unwrap_err();
    assert!(errors[0].1.contains("辅警的考核等次“称职”无效"), "{errors:?}");
    assert_eq!(fields(validate_appraisal(&input("2025", "合格"), "民警", today())), ["grade"]);
    assert_eq!(fields(validate_appraisal(&input("2027", "优秀"), "民警", today())), ["year"]);
    assert_eq!(fields(validate_appraisal(&input("25", "优秀"), "民警", today())), ["year"]);
    assert_eq!(fields(validate_appraisal(&input("", ""), "民警", today())), ["year", "grade"]);
}

#[test]
fn an_import_row_keeps_what_it_leaves_blank_and_names_its_column() {
    let before = ValidPolice { police_rank: Some("二级警司".into()), ..Default::default() };
    let cells = vec![("police_type", "刑事侦查".to_owned()), ("rank_on", "2019/5/1".to_owned())];
    let checked = import::plan(&before, "民警", &cells, today());
    assert!(checked.errors.is_empty(), "{:?}", checked.errors);
    assert_eq!(checked.changes, ["授衔时间", "警种"]);
    let old = vec![("rank_or_grade", "一级警督".to_owned())];
    assert_eq!(import::plan(&ValidPolice::default(), "民警", &old, today()).changes, ["警衔"]);
    let bad = vec![("police_rank", "警长".to_owned()), ("contract_end", "2020-01-01".to_owned())];
    let checked = import::plan(&ValidPolice::default(), "民警", &bad, today());
    let columns: Vec<&str> = checked.errors.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(columns, ["警衔", "合同结束"]);
    assert!(checked.planned.is_none());
    let same = vec![("police_rank", "二级警司".to_owned())];
    assert!(import::plan(&before, "民警", &same, today()).changes.is_empty());
}
