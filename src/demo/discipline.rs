//! The demo's discipline records: about 3 % of the people a year over five years, split across
//! the 四种形态 as the national figures of the first 政法队伍教育整顿 (research/domain.md §5.5):
//! 83.5 / 13 / 2.1 / 1.4 %. Kinds fit the person (辅警 get 辅警 measures, Party sanctions only for
//! members); a few are 躺平摆烂 accountability cases and violations of a commitment. Its own
//! random stream, so the rest of the demo stays as it was. Nothing here ends a membership.

use super::*;
use crate::discipline::entity::sanction;
use crate::discipline::rules::{Ground, Kind, Source, Status, influence_until};

const FACTS: &[&str] = &[
    "工作时间饮酒",
    "接处警不及时，群众反映强烈",
    "执法记录仪未按规定全程开启",
    "违规驾驶警车办理私事",
    "值班期间脱岗",
    "对群众诉求推诿敷衍",
    "违规查询公民个人信息",
    "办案超期未报批",
    "警容风纪不整，经督察发现",
    "参与赌博",
];

impl Gen<'_> {
    pub(super) async fn sanctions(&mut self, seed: u64) -> anyhow::Result<()> {
        use sea_orm::QueryOrder;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let people = person::Entity::find().order_by_asc(person::Column::Id).all(self.txn).await?;
        let commitments = crate::discipline::entity::commitment::Entity::find().all(self.txn).await?;
        let wanted = people.len() * 3 * 5 / 100;
        // The four forms by quota (at least one of the rare ones at every scale), in shuffled order.
        let n4 = ((wanted as f64 * 0.014).round() as usize).max(1);
        let n3 = ((wanted as f64 * 0.021).round() as usize).max(1);
        let n2 = (wanted as f64 * 0.13).round() as usize;
        let mut forms: Vec<u8> = std::iter::repeat_n(4u8, n4)
            .chain(std::iter::repeat_n(3, n3))
            .chain(std::iter::repeat_n(2, n2))
            .chain(std::iter::repeat_n(1, wanted.saturating_sub(n4 + n3 + n2)))
            .collect();
        for i in (1..forms.len()).rev() {
            forms.swap(i, rng.gen_range(0..=i));
        }
        let mut batch: Vec<sanction::ActiveModel> = Vec::new();
        for (i, form) in forms.into_iter().enumerate() {
            let p = &people[rng.gen_range(0..people.len())];
            let (Some(org_id), Some(path)) = (p.org_id, p.org_path.clone()) else { continue };
            let auxiliary = p.kind == PersonKind::Auxiliary.as_str();
            let member = p.political_status == PoliticalStatus::Member.as_str()
                || p.political_status == PoliticalStatus::Probationary.as_str();
            let kind = match (form, auxiliary, member) {
                (1, true, _) => *pick(&mut rng, &[Kind::Talk, Kind::AuxEducation, Kind::SelfExamination]),
                (1, false, _) => *pick(
                    &mut rng,
                    &[Kind::Talk, Kind::Talk, Kind::Criticism, Kind::SelfExamination, Kind::Admonition, Kind::Bulletin],
                ),
                (2, true, _) => *pick(&mut rng, &[Kind::AuxWarning, Kind::AuxDemerit]),
                (2, false, true) => *pick(
                    &mut rng,
                    &[
                        Kind::PartyWarning,
                        Kind::SeriousWarning,
                        Kind::GovWarning,
                        Kind::Demerit,
                        Kind::MajorDemerit,
                        Kind::PostAdjustment,
                    ],
                ),
                (2, false, false) => *pick(&mut rng, &[Kind::GovWarning, Kind::Demerit, Kind::MajorDemerit]),
                (3, true, _) => *pick(&mut rng, &[Kind::AuxDemotion, Kind::ContractEnded]),
                (3, false, true) => *pick(&mut rng, &[Kind::Probation, Kind::Demotion, Kind::Dismissal]),
                (3, false, false) => *pick(&mut rng, &[Kind::Demotion, Kind::Dismissal]),
                _ => Kind::Referral,
            };
            let decided = self.today - chrono::Duration::days(rng.gen_range(5..(5 * 365)));
            let probation = (kind == Kind::Probation).then(|| rng.gen_range(1..=2i16));
            let ground =
                (kind.form() == Some(crate::discipline::Form::First) && rng.gen_bool(0.15)).then_some(Ground::Inaction);
            let fact = if ground.is_some() {
                "长期消极怠工，安排的工作拖延不办"
            } else {
                FACTS[rng.gen_range(0..FACTS.len())]
            };
            let commitment = (!commitments.is_empty() && rng.gen_bool(0.1))
                .then(|| commitments[rng.gen_range(0..commitments.len())].id);
            batch.push(sanction::ActiveModel {
                person_id: Set(p.id),
                org_id: Set(org_id),
                org_path: Set(path),
                category: Set(kind.category()),
                kind: Set(kind),
                probation_years: Set(probation),
                decided_on: Set(decided),
                effective_on: Set(decided),
                influence_until: Set(influence_until(kind, decided, probation.and_then(|y| u8::try_from(y).ok()))),
                facts: Set(format!("{}（演示数据）", fact)),
                decided_by: Set(format!("{}公安局", names::CITY)),
                doc_no: Set(Some(format!("海公纪〔{}〕{}号", decided.year(), i + 1))),
                source: Set(Some(Source::ALL[rng.gen_range(0..Source::ALL.len())])),
                ground: Set(ground),
                commitment_id: Set(commitment),
                status: Set(Status::Standing),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            });
            if batch.len() >= 300 {
                sanction::Entity::insert_many(std::mem::take(&mut batch)).exec_without_returning(self.txn).await?;
            }
        }
        if !batch.is_empty() {
            sanction::Entity::insert_many(batch).exec_without_returning(self.txn).await?;
        }
        Ok(())
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}
