//! What the pages are filled with, read from the data, and the roster the import is timed with.

use anyhow::{Context, bail};
use sea_orm::{FromQueryResult, Statement};

use crate::demo;
use crate::state::AppState;

/// Ids and texts the pages are filled with, read from the data.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub(super) people: u64,
    pub(super) orgs: u64,
    rare_name: String,
    branch: i32,
    pub(super) bureau: i32,
    branch_people: Vec<i32>,
    bureau_people: Vec<i32>,
    all_people: Vec<i32>,
    branch_names: Vec<String>,
}

const SURNAMES: &[&str] = &["张", "王", "李", "刘", "陈", "杨", "赵", "黄"];
const INITIALS: &[&str] = &["zw", "wf", "lj", "cx", "ym", "hl", "zh", "sl"];

#[derive(Debug, FromQueryResult)]
struct NameCount {
    name: String,
}

#[derive(Debug, FromQueryResult)]
struct Count {
    n: i64,
}

impl Ctx {
    pub(super) async fn load(state: &AppState) -> anyhow::Result<Self> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

        use crate::auth::entity::{grant, user};
        use crate::orgs::entity as org;
        use crate::people::entity as person;
        let db = &state.db;
        let backend = db.get_database_backend();
        let sql = |s: &str| Statement::from_string(backend, s.to_owned());
        let count = |s: &'static str| async move {
            Count::find_by_statement(Statement::from_string(backend, s.to_owned()))
                .one(db)
                .await
                .map(|c| c.map_or(0, |c| c.n as u64))
        };
        let people = count("SELECT COUNT(*) AS n FROM persons WHERE deleted_at IS NULL").await?;
        let orgs = count("SELECT COUNT(*) AS n FROM orgs").await?;
        // A full name a few people share, as the rare-name search of issue 15 (王伟, 14 of 28,000).
        let rare =
            NameCount::find_by_statement(sql("SELECT name FROM persons WHERE deleted_at IS NULL GROUP BY name \
             HAVING COUNT(*) BETWEEN 3 AND 20 ORDER BY COUNT(*) DESC, name LIMIT 1"))
            .one(db)
            .await?
            .map(|n| n.name);
        let grant_org = |username: &'static str| async move {
            let Some(u) = user::Entity::find().filter(user::Column::Username.eq(username)).one(db).await? else {
                return anyhow::Ok(None);
            };
            let found = grant::Entity::find().filter(grant::Column::UserId.eq(u.id)).one(db).await?;
            anyhow::Ok(found.map(|g| g.org_id))
        };
        let branch = grant_org("shuji").await?.context("没有演示账号 shuji：请在空数据库上运行，由基准生成演示数据")?;
        let bureau = grant_org("lingdao").await?.context("没有演示账号 lingdao")?;
        let ids_under = |org_id: i32| async move {
            let o = org::Entity::find_by_id(org_id).one(db).await?.context("党组织不存在")?;
            let ids: Vec<i32> = person::Entity::find()
                .select_only()
                .column(person::Column::Id)
                .filter(crate::db::scope::subtree(person::Column::OrgPath, &o.path))
                .filter(person::Column::DeletedAt.is_null())
                .order_by_asc(person::Column::Id)
                .into_tuple()
                .all(db)
                .await?;
            anyhow::Ok(ids)
        };
        let branch_people = ids_under(branch).await?;
        let bureau_people = ids_under(bureau).await?;
        let all: Vec<i32> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .filter(person::Column::DeletedAt.is_null())
            .order_by_asc(person::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        let names: Vec<String> = person::Entity::find()
            .select_only()
            .column(person::Column::Name)
            .filter(person::Column::OrgId.eq(branch))
            .filter(person::Column::DeletedAt.is_null())
            .order_by_asc(person::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        if branch_people.is_empty() || bureau_people.is_empty() || all.is_empty() {
            bail!("演示数据中没有人员");
        }
        Ok(Self {
            people,
            orgs,
            rare_name: rare.unwrap_or_else(|| "王伟".to_owned()),
            branch,
            bureau,
            branch_people,
            bureau_people,
            all_people: all,
            branch_names: names,
        })
    }

    /// The path with its placeholders filled for request number `n`: `{rare_name}`, `{surname}`,
    /// `{branch_name}` (a name in shuji's branch), `{initials}`, `{id4}` (four digits),
    /// `{page}` (1–50), `{branch}` / `{bureau}` (shuji's branch, lingdao's sub-bureau), and a
    /// person `{branch_person}`, `{bureau_person}`, `{any_person}`.
    pub fn fill(&self, path: &str, n: usize) -> String {
        let pick = |list: &[i32]| list.get(n.wrapping_mul(7919) % list.len().max(1)).copied().unwrap_or(1).to_string();
        let pick_text = |list: &[String]| list.get(n % list.len().max(1)).cloned().unwrap_or_default();
        path.replace("{rare_name}", &encode(&self.rare_name))
            .replace("{surname}", &encode(SURNAMES[n % SURNAMES.len()]))
            .replace("{branch_name}", &encode(&pick_text(&self.branch_names)))
            .replace("{initials}", INITIALS[n % INITIALS.len()])
            .replace("{id4}", &format!("{:04}", n.wrapping_mul(37) % 10_000))
            .replace("{page}", &(n % 50 + 1).to_string())
            .replace("{branch}", &self.branch.to_string())
            .replace("{bureau}", &self.bureau.to_string())
            .replace("{branch_person}", &pick(&self.branch_people))
            .replace("{bureau_person}", &pick(&self.bureau_people))
            .replace("{any_person}", &pick(&self.all_people))
    }
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A roster of `rows` new 辅警 with valid ID numbers no demo person has (born from 1960, sequence
/// 9xx), each placed only by 所在单位 (the unit list finds the Party organization).
pub(super) fn new_roster(rows: usize) -> anyhow::Result<Vec<u8>> {
    const NAME_CHARS: &str = "安宁平和春夏秋冬东南西北金木水火土山川河海云天明光华国家兴业文武";
    let chars: Vec<char> = NAME_CHARS.chars().collect();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "基准名册")?;
    for (c, h) in ["序号", "姓名", "身份证号码", "人员类别", "政治面貌", "所在单位"].iter().enumerate()
    {
        sheet.write_string(1, c as u16, *h)?;
    }
    let start = chrono::NaiveDate::from_ymd_opt(1960, 1, 1).context("日期")?;
    for i in 0..rows {
        let r = (i + 2) as u32;
        let day = start + chrono::Duration::days((i / 90) as i64);
        let body = format!("370202{}9{:02}", day.format("%Y%m%d"), i % 90);
        let check = crate::people::idcard::check_char(&body).context("校验码")?;
        sheet.write_number(r, 0, (i + 1) as f64)?;
        let name = format!("基准{}{}", chars[i % chars.len()], chars[(i / chars.len()) % chars.len()]);
        sheet.write_string(r, 1, name)?;
        sheet.write_string(r, 2, format!("{body}{check}"))?;
        sheet.write_string(r, 3, "辅警")?;
        sheet.write_string(r, 4, "群众")?;
        sheet.write_string(r, 5, format!("{}分局机关", demo::first_district()))?;
    }
    Ok(book.save_to_buffer()?)
}
