//! The demo's Party records: memberships with dates that fit each person's age, a year of dues,
//! and the examples a new user should see (an extended probation, a member who died, a member
//! who arrived from outside the bureau).

use super::*;

impl Gen<'_> {
    /// Party members get a membership whose dates fit their age: admitted between 20 and 45,
    /// full members one year later; probationary members admitted within the last year.
    pub(super) async fn memberships(&mut self, dues_seed: Option<u64>) -> anyhow::Result<()> {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        let members = person::Entity::find()
            .filter(
                person::Column::PoliticalStatus
                    .is_in([PoliticalStatus::Member.as_str(), PoliticalStatus::Probationary.as_str()]),
            )
            .order_by_asc(person::Column::Id)
            .all(self.txn)
            .await?;
        let mut rows = Vec::new();
        let mut events = Vec::new();
        let mut stints = Vec::new();
        let mut dues_of = Vec::new();
        for p in members {
            let (Some(org_id), Some(path)) = (p.org_id, p.org_path.clone()) else { continue };
            let age = self.today.year() - p.birth_date.year();
            let (joined, full) = if p.political_status == PoliticalStatus::Probationary.as_str() {
                let joined = self.today - chrono::Duration::days(self.rng.gen_range(20..360));
                (joined, None)
            } else {
                let at_age = self.rng.gen_range(20..=(age - 2).clamp(20, 45));
                let joined = NaiveDate::from_ymd_opt(
                    p.birth_date.year() + at_age,
                    self.rng.gen_range(1..=12),
                    self.rng.gen_range(1..=28),
                )
                .unwrap_or(p.birth_date);
                let joined = joined.min(self.today - chrono::Duration::days(400));
                (joined, Some(crate::party::probation_end(joined, None)))
            };
            stints.push(crate::party::entity::stint::ActiveModel {
                person_id: Set(p.id),
                branch_id: Set(org_id),
                branch_path: Set(path.clone()),
                from_month: Set(crate::text::first_of_month(joined)),
                ..Default::default()
            });
            rows.push(crate::party::entity::member::ActiveModel {
                person_id: Set(p.id),
                branch_id: Set(org_id),
                branch_path: Set(path),
                joined_on: Set(joined),
                full_on: Set(full),
                category: Set(crate::party::MemberCategory::Serving),
                status: Set(crate::party::MemberStatus::Active),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            });
            let event = |kind, on: NaiveDate, detail: &str| crate::party::entity::event::ActiveModel {
                person_id: Set(p.id),
                kind: Set(kind),
                on_date: Set(on),
                detail: Set(detail.to_owned()),
                actor_name: Set("demo".into()),
                at: Set(self.now),
                ..Default::default()
            };
            dues_of.push((p.id, p.kind == PersonKind::Police.as_str(), joined, org_id));
            events.push(event(crate::party::EventKind::Joined, joined, "经支部大会接收为预备党员"));
            if let Some(f) = full {
                events.push(event(crate::party::EventKind::Confirmed, f, "预备期满，转为正式党员"));
            }
        }
        for chunk in rows.chunks(400) {
            crate::party::entity::member::Entity::insert_many(chunk.to_vec()).exec_without_returning(self.txn).await?;
        }
        for chunk in events.chunks(400) {
            crate::party::entity::event::Entity::insert_many(chunk.to_vec()).exec_without_returning(self.txn).await?;
        }
        for chunk in stints.chunks(400) {
            crate::party::entity::stint::Entity::insert_many(chunk.to_vec()).exec_without_returning(self.txn).await?;
        }
        if let Some(seed) = dues_seed {
            self.dues(&dues_of, seed).await?;
        }
        Ok(())
    }

    /// Examples of the membership rules a new user should see: a probation extended by six
    /// months, and a member who died — in the last branch, away from the secretary's.
    pub(super) async fn lifecycle_examples(&mut self, keep_clear: Option<i32>) -> anyhow::Result<()> {
        use crate::party::entity::{event, member, stint};
        use crate::party::{EndKind, EventKind, MemberStatus};
        use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder};
        let members = member::Entity::find().order_by_desc(member::Column::Id).all(self.txn).await?;
        let Some(branch) = members.iter().map(|m| m.branch_id).find(|b| Some(*b) != keep_clear) else { return Ok(()) };
        let in_branch: Vec<&member::Model> = members.iter().filter(|m| m.branch_id == branch).collect();
        let event = |person_id, kind, on: NaiveDate, detail: String| event::ActiveModel {
            person_id: Set(person_id),
            kind: Set(kind),
            on_date: Set(on),
            detail: Set(detail),
            actor_name: Set("demo".into()),
            at: Set(self.now),
            ..Default::default()
        };
        if let Some(m) = in_branch.iter().find(|m| m.full_on.is_none()) {
            // Admitted 14 months ago; at the end of the year the branch meeting extended it.
            let joined = self.today.checked_sub_months(chrono::Months::new(14)).unwrap_or(self.today);
            let decided = crate::party::probation_end(joined, None);
            let mut a: member::ActiveModel = (*m).clone().into();
            a.joined_on = Set(joined);
            a.extended_on = Set(Some(decided));
            a.extended_months = Set(Some(6));
            a.update(self.txn).await?;
            event::Entity::delete_many().filter(event::Column::PersonId.eq(m.person_id)).exec(self.txn).await?;
            event(m.person_id, EventKind::Joined, joined, "经支部大会接收为预备党员".into()).insert(self.txn).await?;
            let end = crate::party::probation_end(joined, Some(6));
            let detail = format!("经支部大会决定，预备期延长 6 个月，至 {end} 届满");
            event(m.person_id, EventKind::Extended, decided, detail).insert(self.txn).await?;
            stint::Entity::update_many()
                .col_expr(
                    stint::Column::FromMonth,
                    sea_orm::sea_query::Expr::value(crate::text::first_of_month(joined)),
                )
                .filter(stint::Column::PersonId.eq(m.person_id))
                .exec(self.txn)
                .await?;
            // The dues base counts from the admission month too.
            crate::party::dues::entity::base::Entity::update_many()
                .col_expr(
                    crate::party::dues::entity::base::Column::EffectiveMonth,
                    sea_orm::sea_query::Expr::value(crate::text::first_of_month(joined)),
                )
                .filter(crate::party::dues::entity::base::Column::PersonId.eq(m.person_id))
                .exec(self.txn)
                .await?;
        }
        if let Some(m) = in_branch.iter().find(|m| m.full_on.is_some()) {
            let died = self.today.checked_sub_months(chrono::Months::new(2)).unwrap_or(self.today);
            let mut a: member::ActiveModel = (*m).clone().into();
            a.status = Set(MemberStatus::Ended);
            a.status_on = Set(Some(died));
            a.end_kind = Set(Some(EndKind::Died));
            a.end_reason = Set(Some("因病去世".into()));
            a.update(self.txn).await?;
            event(m.person_id, EventKind::Ended, died, "去世（因病去世）".into()).insert(self.txn).await?;
            stint::Entity::update_many()
                .col_expr(stint::Column::ToMonth, sea_orm::sea_query::Expr::value(crate::text::first_of_month(died)))
                .filter(stint::Column::PersonId.eq(m.person_id))
                .exec(self.txn)
                .await?;
            // No dues after the month of death: payments and reliefs end there.
            let last = crate::text::first_of_month(died);
            Self::trim_dues(self.txn, m.person_id, None, Some(last)).await?;
            person::Entity::update_many()
                .col_expr(person::Column::EmploymentStatus, sea_orm::sea_query::Expr::value("去世"))
                .col_expr(person::Column::StatusSince, sea_orm::sea_query::Expr::value(died))
                .filter(person::Column::Id.eq(m.person_id))
                .exec(self.txn)
                .await?;
        }
        Ok(())
    }

    /// A base per member and the payments of the last twelve months: most pay every month, a
    /// few now and then miss one, and a handful stopped paying long enough to raise the reminder.
    /// About one in seventy has a reduction or exemption approved by the committee above the
    /// branch, and about one in a hundred once paid more than due of their own will.
    /// Its own random stream, so the people generated before stay the same.
    async fn dues(&mut self, members: &[(i32, bool, NaiveDate, i32)], seed: u64) -> anyhow::Result<()> {
        use crate::party::dues::{
            DuesCategory, ReliefKind, entity::base, entity::payment, entity::relief, first_of_month, monthly_fen,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let this_month = first_of_month(self.today);
        let two_years_ago = this_month.checked_sub_months(chrono::Months::new(24)).unwrap_or(this_month);
        // The committee above each branch approves its reliefs.
        let orgs: std::collections::HashMap<i32, org::Model> =
            org::Entity::find().all(self.txn).await?.into_iter().map(|o| (o.id, o)).collect();
        let committee_above = |branch: i32| {
            let mut at = orgs.get(&branch).and_then(|o| o.parent_id);
            while let Some(id) = at {
                let o = orgs.get(&id)?;
                if OrgKind::parse(&o.kind) == Some(OrgKind::Committee) {
                    return Some(o.name.clone());
                }
                at = o.parent_id;
            }
            None
        };
        let mut bases = Vec::new();
        let mut payments = Vec::new();
        let mut reliefs = Vec::new();
        for &(person_id, regular, joined, branch) in members {
            let from = first_of_month(joined).max(two_years_ago);
            let yuan = if regular { rng.gen_range(600..=1100) } else { rng.gen_range(300..=550) } * 10;
            let base_fen = i64::from(yuan) * 100;
            let standard = monthly_fen(base_fen, DuesCategory::Normal);
            bases.push(base::ActiveModel {
                person_id: Set(person_id),
                effective_month: Set(from),
                base_fen: Set(base_fen),
                category: Set(DuesCategory::Normal),
                fixed_fen: Set(None),
                note: Set(String::new()),
                recorded_by: Set("demo".into()),
                recorded_at: Set(self.now),
                ..Default::default()
            });
            // A hardship relief from four months ago to seven months ahead.
            let relief_from = this_month.checked_sub_months(chrono::Months::new(4)).unwrap_or(this_month);
            let relief_to = this_month.checked_add_months(chrono::Months::new(7)).unwrap_or(this_month);
            let granted = (rng.gen_bool(0.015) && from <= relief_from)
                .then(|| if rng.gen_bool(0.5) { (ReliefKind::Reduce, Some(500)) } else { (ReliefKind::Exempt, None) });
            if let Some((kind, reduced_fen)) = granted {
                reliefs.push(relief::ActiveModel {
                    person_id: Set(person_id),
                    kind: Set(kind),
                    from_month: Set(relief_from),
                    to_month: Set(relief_to),
                    approved_by: Set(committee_above(branch).unwrap_or_else(|| "上一级党委".into())),
                    reduced_fen: Set(reduced_fen),
                    note: Set("家庭遭遇重大变故，经支部研究、报上一级党委批准".into()),
                    recorded_by: Set("demo".into()),
                    recorded_at: Set(self.now),
                    ..Default::default()
                });
            }
            let stopped_after = rng.gen_bool(0.003).then(|| rng.gen_range(7..=10));
            let gives_more = rng.gen_bool(0.01).then(|| rng.gen_range(1..=12u32));
            for back in (1..=12u32).rev() {
                let Some(month) = this_month.checked_sub_months(chrono::Months::new(back)) else { continue };
                let missed = stopped_after.is_some_and(|n| back <= n) || rng.gen_bool(0.03);
                if month < from || missed {
                    continue;
                }
                let due = match granted {
                    Some((_, reduced)) if month >= relief_from => reduced.unwrap_or(0),
                    _ => standard,
                };
                let (amount, note) = if gives_more == Some(back) {
                    (due + 20_000, "自愿多交 200 元")
                } else if due == 0 {
                    continue;
                } else {
                    (due, "")
                };
                let paid_on = month.with_day(rng.gen_range(5..=25)).unwrap_or(month);
                payments.push(payment::ActiveModel {
                    person_id: Set(person_id),
                    month: Set(month),
                    amount_fen: Set(amount),
                    due_fen: Set(due),
                    note: Set(note.into()),
                    paid_on: Set(paid_on),
                    recorded_by: Set("demo".into()),
                    recorded_at: Set(self.now),
                    ..Default::default()
                });
            }
        }
        for chunk in bases.chunks(400) {
            base::Entity::insert_many(chunk.to_vec()).exec_without_returning(self.txn).await?;
        }
        for chunk in payments.chunks(400) {
            payment::Entity::insert_many(chunk.to_vec()).exec_without_returning(self.txn).await?;
        }
        for chunk in reliefs.chunks(400) {
            relief::Entity::insert_many(chunk.to_vec()).exec_without_returning(self.txn).await?;
        }
        crate::party::dues::refresh_paid_to(self.txn).await?;
        Ok(())
    }

    /// Keeps a member's demo dues inside the months they belonged here: payments before `first`
    /// or after `last` go, reliefs are cut to those months, and the base starts no earlier.
    async fn trim_dues(
        txn: &DatabaseTransaction,
        person_id: i32,
        first: Option<NaiveDate>,
        last: Option<NaiveDate>,
    ) -> anyhow::Result<()> {
        use crate::party::dues::entity::{base, payment, relief};
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, QueryFilter};
        if let Some(first) = first {
            payment::Entity::delete_many()
                .filter(payment::Column::PersonId.eq(person_id))
                .filter(payment::Column::Month.lt(first))
                .exec(txn)
                .await?;
            relief::Entity::delete_many()
                .filter(relief::Column::PersonId.eq(person_id))
                .filter(relief::Column::ToMonth.lt(first))
                .exec(txn)
                .await?;
            relief::Entity::update_many()
                .col_expr(relief::Column::FromMonth, Expr::value(first))
                .filter(relief::Column::PersonId.eq(person_id))
                .filter(relief::Column::FromMonth.lt(first))
                .exec(txn)
                .await?;
            base::Entity::update_many()
                .col_expr(base::Column::EffectiveMonth, Expr::value(first))
                .filter(base::Column::PersonId.eq(person_id))
                .filter(base::Column::EffectiveMonth.lt(first))
                .exec(txn)
                .await?;
        }
        if let Some(last) = last {
            payment::Entity::delete_many()
                .filter(payment::Column::PersonId.eq(person_id))
                .filter(payment::Column::Month.gt(last))
                .exec(txn)
                .await?;
            relief::Entity::delete_many()
                .filter(relief::Column::PersonId.eq(person_id))
                .filter(relief::Column::FromMonth.gt(last))
                .exec(txn)
                .await?;
            relief::Entity::update_many()
                .col_expr(relief::Column::ToMonth, Expr::value(last))
                .filter(relief::Column::PersonId.eq(person_id))
                .filter(relief::Column::ToMonth.gt(last))
                .exec(txn)
                .await?;
        }
        crate::party::dues::refresh_paid_to(txn).await?;
        Ok(())
    }

    /// A transfer in from outside the bureau, to show what one looks like: the youngest full
    /// member of `branch` (not one of the demo accounts) arrived with a letter from a police
    /// college 75 days ago, so their ledgers start that month and their history says so.
    pub(super) async fn transfer_in_example(&mut self, branch: &org::Model) -> anyhow::Result<()> {
        use crate::party::entity::{event, member, stint};
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        let members = person::Entity::find()
            .filter(person::Column::OrgId.eq(branch.id))
            .filter(person::Column::PoliticalStatus.eq(PoliticalStatus::Member.as_str()))
            .order_by_asc(person::Column::Id)
            .all(self.txn)
            .await?;
        let arrived = self.today - chrono::Duration::days(75);
        // The first two are the demo secretary and member; a full member before arriving.
        let ids: Vec<i32> = members.iter().skip(2).map(|p| p.id).collect();
        let memberships = member::Entity::find().filter(member::Column::PersonId.is_in(ids)).all(self.txn).await?;
        let chosen = members
            .iter()
            .filter_map(|p| {
                let m = memberships.iter().find(|m| m.person_id == p.id && m.full_on.is_some_and(|f| f <= arrived))?;
                Some((p, m.clone()))
            })
            .max_by_key(|(p, _)| (p.birth_date, p.id));
        let Some((p, m)) = chosen else { return Ok(()) };
        let month = crate::text::first_of_month(arrived);
        let paid_to = month.checked_sub_months(chrono::Months::new(1)).unwrap_or(month);
        let issuer = "中共东海警官职业学院委员会";
        let letter_no = format!("〔{}〕第 0035 号", arrived.year());
        crate::party::transfer_in::entity::ActiveModel {
            person_id: Set(p.id),
            branch_id: Set(branch.id),
            branch_path: Set(branch.path.clone()),
            letter_no: Set(letter_no.clone()),
            issuer: Set(issuer.into()),
            joined_on: Set(m.joined_on),
            full_on: Set(m.full_on),
            dues_paid_to: Set(paid_to),
            arrived_on: Set(arrived),
            recorded_by: Set("demo".into()),
            recorded_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        // Dues here start with the month of arrival: what was paid before went to the college.
        Self::trim_dues(self.txn, p.id, Some(month), None).await?;
        let paid_here = crate::party::dues::entity::payment::Entity::find()
            .filter(crate::party::dues::entity::payment::Column::PersonId.eq(p.id))
            .all(self.txn)
            .await?
            .into_iter()
            .map(|p| p.month)
            .max();
        let mut active: member::ActiveModel = m.into();
        active.dues_paid_to = Set(Some(paid_here.map_or(paid_to, |h| h.max(paid_to))));
        active.update(self.txn).await?;
        stint::Entity::update_many()
            .col_expr(stint::Column::FromMonth, sea_orm::sea_query::Expr::value(month))
            .filter(stint::Column::PersonId.eq(p.id))
            .exec(self.txn)
            .await?;
        event::Entity::update_many()
            .col_expr(
                event::Column::Detail,
                sea_orm::sea_query::Expr::value(format!("经支部大会接收为预备党员（据{issuer}介绍信）")),
            )
            .filter(event::Column::PersonId.eq(p.id))
            .filter(event::Column::Kind.eq(crate::party::EventKind::Joined))
            .exec(self.txn)
            .await?;
        event::ActiveModel {
            person_id: Set(p.id),
            kind: Set(crate::party::EventKind::TransferredIn),
            on_date: Set(arrived),
            detail: Set(format!("由{issuer}转入{}，介绍信{letter_no}", branch.name)),
            actor_name: Set("demo".into()),
            at: Set(self.now),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        Ok(())
    }
}
