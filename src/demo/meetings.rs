//! The demo's 组织生活: five years of records of every branch with realistic gaps (a month
//! without a 支委会, a quarter without a 党课), the recent ones with attendance from the branch's
//! members, a few awaiting review, a few returned with an opinion, and a few whose minutes copy
//! another branch's (flagged as the submission would flag them). Its own random stream.

use super::*;
use crate::meetings::Status;
use crate::meetings::entity::{attendee, meeting};

const SENTENCES: &[&str] = &[
    "会议传达学习了市局党委关于加强基层党组织建设的通知精神。",
    "支部书记结合本所实际，对近期社区警务工作提出了具体要求。",
    "与会党员围绕从警初心是什么进行了交流发言。",
    "会议研究了下一阶段发展党员工作，确定了入党积极分子的培养联系人。",
    "会议通报了上月执法质量考评情况，分析了存在的问题。",
    "会议讨论了困难党员和困难民辅警的走访慰问安排。",
    "组织委员通报了党费收缴情况，提醒党员按时足额交纳。",
    "宣传委员介绍了本月主题党日的学习材料和志愿服务安排。",
    "会议结合近期警示教育案例，查找了廉洁从警方面的风险点。",
    "党员们就化解邻里纠纷、服务辖区群众谈了各自的做法。",
    "会议对值班备勤中党员先锋岗的设置作了调整。",
    "会议听取了党小组组长关于本组学习情况的汇报。",
    "会议研究了年底组织生活会的准备工作，明确了谈心谈话的安排。",
    "会议对辖区重点场所的安全防范工作进行了部署。",
    "与会同志对照党章党规查找了自身在工作作风方面的不足。",
    "会议决定由支部书记讲授一次专题党课。",
    "会议讨论了与社区党组织开展联学共建的具体事项。",
    "会议总结了本季度党建与业务融合工作的情况。",
];

impl Gen<'_> {
    pub(super) async fn meetings(&mut self, seed: u64, keep_month_open: Option<i32>) -> anyhow::Result<()> {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let branches = org::Entity::find()
            .filter(org::Column::Kind.is_in([OrgKind::Branch.as_str(), OrgKind::JointBranch.as_str()]))
            .order_by_asc(org::Column::Path)
            .all(self.txn)
            .await?;
        let this_month = crate::text::first_of_month(self.today);
        let first = this_month.checked_sub_months(chrono::Months::new(60)).unwrap_or(this_month);
        let recent = this_month.checked_sub_months(chrono::Months::new(3)).unwrap_or(this_month);
        let mut batch: Vec<meeting::ActiveModel> = Vec::new();
        let mut copied_from: Option<(i32, String)> = None;
        for b in &branches {
            let members = crate::party::store::members_on(self.txn, b.id, self.today).await?;
            let names = crate::people::names(self.txn, &members.iter().map(|m| m.0).collect::<Vec<_>>()).await?;
            let mut month = first;
            while month < this_month {
                let m = month.month();
                let mut kinds: Vec<(&str, f64)> = vec![("committee", 0.12), ("party_day", 0.1)];
                if m.is_multiple_of(3) {
                    kinds.push(("general", 0.08));
                    kinds.push(("lecture", 0.15));
                }
                if m == 12 {
                    kinds.push(("life", 0.05));
                    kinds.push(("review", 0.05));
                }
                for (code, gap) in kinds {
                    // The demo secretary's branch keeps October's 支委会 missing (a gap to see).
                    let forced_gap = Some(b.id) == keep_month_open && code == "committee" && m == 10;
                    if rng.gen_bool(gap) || forced_gap {
                        continue;
                    }
                    let day = NaiveDate::from_ymd_opt(month.year(), m, rng.gen_range(3..=26)).unwrap_or(month);
                    let mut picked: Vec<&str> = Vec::new();
                    while picked.len() < 5 {
                        let s = SENTENCES[rng.gen_range(0..SENTENCES.len())];
                        if !picked.contains(&s) {
                            picked.push(s);
                        }
                    }
                    let mut minutes = format!("{}，{}。", b.name, day.format("%Y年%m月%d日")) + &picked.concat();
                    let last_month = this_month.checked_sub_months(chrono::Months::new(1)).unwrap_or(month) <= month;
                    let (status, opinion) = if last_month && rng.gen_bool(0.06) {
                        (Status::Returned, Some("会议记录过于简单，请补充党员发言和讨论的情况".to_owned()))
                    } else if last_month && rng.gen_bool(0.2) {
                        (Status::Submitted, None)
                    } else if month < recent {
                        (Status::Archived, None)
                    } else {
                        (Status::Approved, None)
                    };
                    let copy = month >= recent && rng.gen_bool(0.03);
                    if copy && let Some((_, text)) = &copied_from {
                        minutes = text.clone();
                    }
                    let topic = match code {
                        "committee" => "研究支部近期工作",
                        "party_day" => "主题党日",
                        "general" => "支部党员大会",
                        "lecture" => "专题党课",
                        "life" => "年度组织生活会",
                        _ => "民主评议党员",
                    };
                    let row = meeting::ActiveModel {
                        org_id: Set(b.id),
                        org_path: Set(b.path.clone()),
                        type_code: Set(code.to_owned()),
                        held_on: Set(day),
                        held_month: Set(crate::meetings::rules::month_key(day)),
                        starts_at: Set("15:00".into()),
                        place: Set("支部会议室".into()),
                        topic: Set(topic.into()),
                        presenter: Set("支部书记".into()),
                        recorder: Set("组织委员".into()),
                        minutes: Set(Some(minutes.clone())),
                        decisions: Set(None),
                        status: Set(status),
                        version: Set(1),
                        review_org_id: Set(if status == Status::Submitted { None } else { b.parent_id }),
                        opinion: Set(opinion),
                        reviewed_by: Set((status != Status::Submitted).then(|| "演示上级党委".to_owned())),
                        reviewed_at: Set((status != Status::Submitted).then_some(self.now)),
                        submitted_at: Set(Some(self.now)),
                        created_by: Set("demo".into()),
                        created_at: Set(self.now),
                        updated_at: Set(self.now),
                        ..Default::default()
                    };
                    if month < recent {
                        batch.push(row);
                        if batch.len() >= 500 {
                            meeting::Entity::insert_many(std::mem::take(&mut batch))
                                .exec_without_returning(self.txn)
                                .await?;
                        }
                        continue;
                    }
                    // Recent records: attendance from the branch's members, and the minutes indexed.
                    let saved = row.insert(self.txn).await?;
                    let mut active: meeting::ActiveModel = saved.clone().into();
                    active.root_id = Set(Some(saved.id));
                    if copy && let Some((from, _)) = &copied_from {
                        active.similar_to = Set(Some(*from));
                        active.similarity = Set(Some(100));
                    }
                    active.update(self.txn).await?;
                    crate::meetings::similar::index(self.txn, saved.id, &minutes).await?;
                    if copied_from.is_none() || rng.gen_bool(0.05) {
                        copied_from = Some((saved.id, minutes.clone()));
                    }
                    let seats: Vec<attendee::ActiveModel> = members
                        .iter()
                        .filter(|_| code != "committee")
                        .map(|(p, full)| {
                            let roll = rng.gen_range(0..100);
                            let (status, reason) = match roll {
                                0..=79 => ("出席", None),
                                80..=87 => ("远程", None),
                                88..=95 => ("请假", Some("外出执行任务".to_owned())),
                                _ => ("缺席", None),
                            };
                            attendee::ActiveModel {
                                meeting_id: Set(saved.id),
                                person_id: Set(Some(*p)),
                                name: Set(names.get(p).cloned().unwrap_or_default()),
                                member_kind: Set(if *full { "正式党员" } else { "预备党员" }.into()),
                                status: Set(status.into()),
                                reason: Set(reason),
                                voting: Set(*full),
                                held_on: Set(day),
                                ..Default::default()
                            }
                        })
                        .collect();
                    if !seats.is_empty() {
                        attendee::Entity::insert_many(seats).exec_without_returning(self.txn).await?;
                    }
                }
                month = month.checked_add_months(chrono::Months::new(1)).unwrap_or(this_month);
            }
        }
        if !batch.is_empty() {
            meeting::Entity::insert_many(batch).exec_without_returning(self.txn).await?;
        }
        if let Some(b) = keep_month_open.and_then(|id| branches.iter().find(|b| b.id == id)) {
            self.graded_review(b).await?;
        }
        crate::meetings::presence::rebuild(self.txn).await?;
        Ok(())
    }

    /// The secretary's branch's last 民主评议 gets its grades, one 不合格, and the follow-up
    /// that grade opened (组织处置), so a new user sees one.
    async fn graded_review(&mut self, b: &org::Model) -> anyhow::Result<()> {
        use crate::meetings::entity::followup;
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        let Some(review) = meeting::Entity::find()
            .filter(meeting::Column::OrgId.eq(b.id))
            .filter(meeting::Column::TypeCode.eq("review"))
            .order_by_desc(meeting::Column::HeldOn)
            .one(self.txn)
            .await?
        else {
            return Ok(());
        };
        let members = crate::party::store::members_on(self.txn, b.id, review.held_on).await?;
        let names = crate::people::names(self.txn, &members.iter().map(|m| m.0).collect::<Vec<_>>()).await?;
        let excellent = members.len() / 4;
        let last = members.len().saturating_sub(1);
        let seats: Vec<attendee::ActiveModel> = members
            .iter()
            .enumerate()
            .map(|(i, (p, full))| attendee::ActiveModel {
                meeting_id: Set(review.id),
                person_id: Set(Some(*p)),
                name: Set(names.get(p).cloned().unwrap_or_default()),
                member_kind: Set(if *full { "正式党员" } else { "预备党员" }.into()),
                status: Set("出席".into()),
                voting: Set(*full),
                grade: Set(Some(
                    if i < excellent {
                        "优秀"
                    } else if i == last {
                        "不合格"
                    } else {
                        "合格"
                    }
                    .into(),
                )),
                held_on: Set(review.held_on),
                ..Default::default()
            })
            .collect();
        if let Some((p, _)) = members.last() {
            attendee::Entity::insert_many(seats).exec_without_returning(self.txn).await?;
            followup::ActiveModel {
                meeting_id: Set(review.id),
                person_id: Set(*p),
                org_id: Set(b.id),
                org_path: Set(b.path.clone()),
                opened_on: Set(review.held_on),
                ..Default::default()
            }
            .insert(self.txn)
            .await?;
        }
        Ok(())
    }
}
