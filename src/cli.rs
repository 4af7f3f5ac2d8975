//! The command line: `serve`, `migrate`, `user`, `demo`, `bench`, `audit`, `import`, `export`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

pub mod bench;
mod export;
mod import;
use clap::{Parser, Subcommand};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::accounts::links::PersonRef;
use crate::accounts::users::NewUser;
use crate::accounts::{grants, links, resets, tokens, users};
use crate::auth::entity::user;
use crate::auth::sessions;
use crate::auth::{Role, entity::grant};
use crate::clock::SystemClock;
use crate::config::{Config, DatabaseUrl};
use crate::demo::{self, Scale};
use crate::orgs::{OrgKind, entity as org};
use crate::state::AppState;

#[derive(Parser, Debug)]
#[command(name = "dangjian", version, about = "公安机关党建与队伍管理平台")]
pub struct Cli {
    /// 配置文件（不存在时使用默认值）
    #[arg(long, global = true, default_value = "dangjian.toml")]
    pub config: PathBuf,
    /// 数据库地址：sqlite://路径、postgres://…、mysql://…
    #[arg(long, global = true, env = "DANGJIAN__DATABASE__URL")]
    pub db: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 启动 Web 服务
    Serve {
        /// 空数据库时生成演示数据和演示账号（密码 Demo@2024）
        #[arg(long)]
        demo: bool,
        /// 监听地址，默认 127.0.0.1:8080
        #[arg(long)]
        addr: Option<String>,
    },
    /// 执行数据库迁移
    Migrate,
    /// 账号管理
    #[command(subcommand)]
    User(UserCommand),
    /// 生成演示数据（仅限空数据库）
    Demo {
        #[arg(long, value_enum, default_value = "small")]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// 性能基准：空数据库先生成演示数据，另起服务进程，以各演示账号并发访问各页面，报告 p50/p95/p99、每秒请求数、
    /// 错误数、与各页数据库语句的耗时之比、服务峰值内存，以及名册导出、导入的用时（导入会写入数据库）
    Bench {
        #[arg(long, value_enum, default_value = "city")]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 并发客户端数
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// 每个页面压测的秒数（另有其五分之一的预热）
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// 最后导入的新名册行数（0 为不导入）
        #[arg(long, default_value_t = 30_000)]
        import_rows: usize,
        /// 只测名称包含这些文字的页面（可给多个）
        #[arg(long, num_args = 1..)]
        only: Vec<String>,
        /// 每页之后列出它最慢的这么多条数据库语句及其用时（找慢的原因用）
        #[arg(long, default_value_t = 0)]
        slowest: usize,
    },
    /// 审计日志
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 从 Excel 导入
    #[command(subcommand)]
    Import(ImportCommand),
    /// 导出为 Excel（与网页上的导出内容相同，记审计）
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// 导出民辅警名册（与名册页面的筛选相同；身份证号只显示末四位）
    People {
        /// 写入的 Excel 文件（.xlsx）
        file: PathBuf,
        /// 只导出这个党组织及其下级（名称或编号）
        #[arg(long)]
        org: Option<String>,
        /// 查找：姓名、拼音首字母、警号、身份证号末四位或单位
        #[arg(long, default_value = "")]
        q: String,
        /// 人员类别（民警、辅警…）
        #[arg(long, default_value = "")]
        kind: String,
        /// 在职状态
        #[arg(long, default_value = "")]
        employment_status: String,
        /// 政治面貌
        #[arg(long, default_value = "")]
        political_status: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// 导入民辅警名册（按身份证号新建或更新；有被拒绝的行时不导入任何数据）
    People {
        /// Excel 文件（.xlsx）
        file: PathBuf,
        /// 只检查并报告，不写入
        #[arg(long)]
        dry_run: bool,
        /// 所在党组织为空、按所在单位也找不到党组织的行放到这个党组织（名称或编号）
        #[arg(long)]
        org: Option<String>,
    },
    /// 导入组织树（名称、类型、上级党组织、成立日期、届期、覆盖单位、书记；有被拒绝的行时不导入任何数据）
    Orgs {
        /// Excel 文件（.xlsx）
        file: PathBuf,
        /// 只检查并报告，不写入
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// 新建账号（首次登录须改密）
    Create {
        username: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// 初始密码；不填则随机生成并显示一次
        #[arg(long)]
        password: Option<String>,
        #[command(flatten)]
        person: PersonArgs,
    },
    /// 重置密码（下次登录须改密）；能查阅敏感信息的账号改为签发一次性设置码，由本人设置密码
    Passwd {
        username: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// 授权：角色 + 党组织范围（编号）
    Grant { username: String, role: String, org_id: i32 },
    /// 撤销授权
    Revoke { username: String, role: String, org_id: i32 },
    /// 列出账号
    List,
    /// 解锁账号
    Unlock { username: String },
    /// 为账号创建接口令牌
    Token { username: String, name: String },
    /// 停用账号（结束其全部会话，接口令牌随之失效；三员账号也可以）
    Disable { username: String },
    /// 启用账号
    Enable { username: String },
    /// 关联本人的人员档案（“我的档案”），按警号或身份证号查找
    Link {
        username: String,
        #[command(flatten)]
        person: PersonRequired,
    },
    /// 解除账号与人员档案的关联
    Unlink { username: String },
}

/// The person an account belongs to, named by one of two numbers.
#[derive(clap::Args, Debug)]
#[group(multiple = false)]
pub struct PersonArgs {
    /// 关联本人的人员档案：警号
    #[arg(long)]
    police_no: Option<String>,
    /// 关联本人的人员档案：身份证号（会留在命令历史中，能用警号时用警号）
    #[arg(long)]
    id_number: Option<String>,
}

/// [`PersonArgs`] where one of the two is required.
#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
pub struct PersonRequired {
    /// 警号
    #[arg(long)]
    police_no: Option<String>,
    /// 身份证号（会留在命令历史中，能用警号时用警号）
    #[arg(long)]
    id_number: Option<String>,
}

fn person_ref(police_no: Option<&str>, id_number: Option<&str>) -> anyhow::Result<Option<PersonRef>> {
    let r = match (police_no, id_number) {
        (Some(no), _) => Some(PersonRef::police_no(no)),
        (None, Some(id)) => Some(PersonRef::id_number(id)),
        (None, None) => None,
    };
    r.transpose().map_err(app_err)
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// 用审计密钥校验审计链，并与检查点核对；发现被修改、插入或删除的记录时以非零状态退出
    Verify {
        /// 另外核对的检查点文件（审计员保存的副本、系统日志的摘录），可给多个；配置的检查点文件总会核对
        #[arg(long, num_args = 1..)]
        checkpoints: Vec<PathBuf>,
    },
    /// 生成审计密钥文件（权限 0600，不覆盖已有文件）；--rotate 在已有文件的最前面加一把新密钥
    Keygen {
        file: PathBuf,
        /// 更换密钥：新密钥用于此后的记录，原有密钥保留在文件中，用来校验旧记录
        #[arg(long)]
        rotate: bool,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut config = Config::load(&cli.config).context("读取配置失败")?;
    if let Some(db) = &cli.db {
        config.database.url = DatabaseUrl(db.clone());
    }
    init_tracing(&config.log.filter);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("无法启动异步运行时")?;
    runtime.block_on(dispatch(cli.command, config, cli.config))
}

fn init_tracing(filter: &str) {
    let env = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt().with_env_filter(env).with_target(false).try_init();
}

async fn open(config: Config) -> anyhow::Result<AppState> {
    // Before anything is written: without its key the audit chain cannot be extended.
    crate::audit::keys::ensure(&config)?;
    crate::app::install_modules(&crate::app::modules());
    tracing::info!(database = %config.database.url, "连接数据库");
    let db = crate::db::connect(&config.database).await?;
    crate::db::migrate(&db).await?;
    // Rows written before the pinyin spellings were kept (once, after the upgrade).
    let spelt = crate::people::store::fill_missing_initials(&db).await?;
    if spelt > 0 {
        tracing::info!(persons = spelt, "补全姓名的拼音首字母");
    }
    let indexed = crate::people::store::fill_missing_grams(&db).await?;
    if indexed > 0 {
        tracing::info!(persons = indexed, "补全姓名检索索引");
    }
    Ok(AppState::new(db, config, Arc::new(SystemClock)))
}

async fn find_user(state: &AppState, username: &str) -> anyhow::Result<user::Model> {
    let name = sessions::normalize_username(username);
    user::Entity::find()
        .filter(user::Column::Username.eq(&name))
        .one(&state.db)
        .await?
        .with_context(|| format!("账号 {name} 不存在"))
}

pub(crate) fn app_err(e: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!(e.message())
}

async fn dispatch(command: Command, config: Config, config_path: PathBuf) -> anyhow::Result<ExitCode> {
    let cli_actor = sessions::cli_actor();
    match command {
        Command::Serve { demo, addr } => {
            let addr = addr.unwrap_or_else(|| config.server.addr.clone());
            let mut state = open(config).await?;
            state.demo = demo;
            if demo {
                if demo::is_empty(&state).await? {
                    let s = demo::seed(&state, Scale::Small, 1).await?;
                    println!(
                        "已生成演示数据：{} 个党组织，{} 名民辅警，{} 个演示账号（密码 {}）",
                        s.orgs,
                        s.people,
                        s.accounts,
                        demo::DEMO_PASSWORD
                    );
                }
            } else {
                let created = bootstrap(&state).await?;
                if !created.is_empty() {
                    println!("首次启动：已创建三员账号，请记录以下初始密码（只显示这一次，首次登录须修改）：");
                    for (username, password) in created {
                        println!("  {username}：{password}");
                    }
                }
            }
            let listener = tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("无法监听 {addr}"))?;
            // Chain-head checkpoints outside the database: now, periodically, and at the stop.
            let checkpoints = Arc::new(crate::audit::checkpoint::Checkpointer::new(
                state.db.clone(),
                state.clock.clone(),
                crate::audit::checkpoint::configured_path(&state.config),
            ));
            checkpoints.start().await?;
            let ticker = checkpoints.spawn_periodic(state.config.audit.checkpoint_secs);
            let shutdown = crate::app::shutdown_signal();
            println!("党建与队伍管理平台已启动：http://{}", listener.local_addr()?);
            let served = crate::app::serve(listener, state, shutdown).await;
            if let Some(ticker) = ticker {
                ticker.abort();
            }
            if let Err(e) = checkpoints.write(crate::audit::checkpoint::Reason::Stop).await {
                tracing::error!("停止时写审计检查点失败：{e:#}");
            }
            served?;
            println!("已停止");
        }
        Command::Migrate => {
            open(config).await?;
            println!("数据库迁移完成");
        }
        Command::Demo { scale, seed } => {
            let state = open(config).await?;
            let s = demo::seed(&state, scale, seed).await?;
            println!(
                "已生成演示数据：{} 个党组织，{} 名民辅警，{} 个演示账号（密码 {}）",
                s.orgs,
                s.people,
                s.accounts,
                demo::DEMO_PASSWORD
            );
        }
        Command::Bench { scale, seed, clients, seconds, import_rows, only, slowest } => {
            let options = bench::Options {
                scale,
                seed,
                clients,
                duration: std::time::Duration::from_secs_f64(seconds.max(0.1)),
                import_rows,
                server_exe: std::env::current_exe().context("找不到本程序的路径")?,
                config_file: config_path,
                only,
                server_env: Vec::new(),
                slowest,
            };
            bench::run(config, options).await?;
        }
        Command::Audit(AuditCommand::Verify { checkpoints }) => {
            let state = open(config).await?;
            if !audit_verify(&state, &checkpoints).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Audit(AuditCommand::Keygen { file, rotate }) => {
            if rotate {
                let id = crate::audit::keys::rotate_key_file(&file)?;
                println!(
                    "已在 {} 的最前面加入新的审计密钥（编号 {id}），原有密钥保留用于校验旧记录。重启服务后生效。",
                    file.display()
                );
            } else {
                crate::audit::keys::write_new_key_file(&file)?;
                println!(
                    "已生成审计密钥文件 {}（权限 0600）。请在配置文件 [audit] 中设置 key_file，让文件只归运行本服务的账号所有，\
                     并把它另外备份到安全的地方：密钥丢失后，已有的审计记录无法再校验。",
                    file.display()
                );
            }
        }
        Command::Import(cmd) => {
            let state = open(config).await?;
            return import::run(&state, cmd).await;
        }
        Command::Export(cmd) => {
            let state = open(config).await?;
            return export::run(&state, cmd).await;
        }
        Command::User(cmd) => {
            let state = open(config).await?;
            user_command(&state, &cli_actor, cmd).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `dangjian audit verify`: prints the findings in Chinese; true when there are none. Checks
/// the configured checkpoint file and the `extra` ones.
pub async fn audit_verify(state: &AppState, extra: &[PathBuf]) -> anyhow::Result<bool> {
    use crate::audit::CheckpointSource;
    let mut sources: Vec<CheckpointSource> =
        extra.iter().map(|path| CheckpointSource { path: path.clone(), required: true }).collect();
    if let Some(path) = crate::audit::checkpoint::configured_path(&state.config)
        && !extra.contains(&path)
    {
        sources.push(CheckpointSource { path, required: false });
    }
    let report = crate::audit::verify_with(&state.db, &sources).await?;
    let ok = report.problems.is_empty();
    if ok {
        println!("审计链完整：已校验 {} 条记录、{} 个检查点", report.checked, report.checkpoints);
    } else {
        println!(
            "审计链被破坏：已校验 {} 条记录、{} 个检查点，发现 {} 处问题",
            report.checked,
            report.checkpoints,
            report.problems.len()
        );
        for p in &report.problems {
            println!("  {}", p.display());
        }
    }
    for note in &report.notes {
        println!("  说明：{note}");
    }
    Ok(ok)
}

async fn user_command(state: &AppState, actor: &crate::auth::Actor, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Create { username, name, password, person } => {
            let person = person_ref(person.police_no.as_deref(), person.id_number.as_deref())?;
            let new = NewUser { username, display_name: name, password: password.clone(), demo: false };
            let (u, initial, linked) =
                users::create_user_with_person(state, actor, new, person.as_ref()).await.map_err(app_err)?;
            println!("已创建账号 {}", u.username);
            if let Some(p) = linked {
                println!("已关联人员档案：{}（{}）", p.name, p.org_name);
            }
            if password.is_none() {
                println!("初始密码（只显示这一次，首次登录须修改）：{initial}");
            }
        }
        UserCommand::Passwd { username, password } => {
            let u = find_user(state, &username).await?;
            // The break-glass path, audited as `cli`. A password the operator knows must not
            // open an account with sensitive access either: such an account gets a one-time
            // code for its owner (see `accounts::resets`).
            if crate::auth::codes::is_sensitive(&state.db, &u).await? {
                anyhow::ensure!(
                    password.is_none(),
                    "{} 能查阅敏感信息，不能指定密码；不带 --password 运行以签发一次性设置码，由本人设置密码",
                    u.username
                );
                let issued = resets::issue(state, actor, u.id, "命令行重置").await.map_err(app_err)?;
                println!("{} 能查阅敏感信息：原密码已失效，会话已全部结束。", u.username);
                println!(
                    "一次性设置码（只显示这一次，请交给本人；{} 前有效，只能用来设置新密码）：{}",
                    crate::clock::display_local(issued.expires_at),
                    issued.one_time_code
                );
                return Ok(());
            }
            let given = password.is_some();
            let new = resets::reset_password(state, actor, u.id, password).await.map_err(app_err)?;
            println!("已重置 {} 的密码，下次登录须修改", u.username);
            if !given {
                println!("临时密码（只显示这一次）：{new}");
            }
        }
        UserCommand::Grant { username, role, org_id } => {
            let u = find_user(state, &username).await?;
            let role = Role::parse(&role).with_context(|| format!("未知角色 {role}；可用：{}", role_names()))?;
            grants::add_grant(state, actor, u.id, role, org_id).await.map_err(app_err)?;
            println!("已授予 {} {}", u.username, role.label());
            owner_password_hint(state, actor, u.id).await?;
        }
        UserCommand::Revoke { username, role, org_id } => {
            let u = find_user(state, &username).await?;
            let found = grant::Entity::find()
                .filter(grant::Column::UserId.eq(u.id))
                .filter(grant::Column::Role.eq(role.as_str()))
                .filter(grant::Column::OrgId.eq(org_id))
                .one(&state.db)
                .await?
                .context("没有这项授权")?;
            grants::revoke_grant(state, actor, found.id).await.map_err(app_err)?;
            println!("已撤销");
        }
        UserCommand::List => {
            let now = state.clock.now_db();
            for u in users::list_users(state, actor, "", None).await.map_err(app_err)?.0 {
                let grants: Vec<String> =
                    u.grants.iter().map(|g| format!("{}@{}({})", g.role.as_str(), g.org_name, g.org_id)).collect();
                let status = if u.disabled {
                    "停用"
                } else if u.locked_until.is_some_and(|t| t > now) {
                    "锁定"
                } else {
                    "正常"
                };
                println!("{}\t{}\t{}\t{}", u.username, u.display_name, status, grants.join(", "));
            }
        }
        UserCommand::Unlock { username } => {
            let u = find_user(state, &username).await?;
            users::unlock(state, actor, u.id).await.map_err(app_err)?;
            println!("已解锁 {}", u.username);
        }
        UserCommand::Token { username, name } => {
            let u = find_user(state, &username).await?;
            let (_, token) = tokens::create_token(state, actor, u.id, &name).await.map_err(app_err)?;
            println!("接口令牌（只显示这一次）：{token}");
        }
        // The break-glass path: the web refuses to disable system officers' accounts.
        UserCommand::Disable { username } => {
            let u = find_user(state, &username).await?;
            users::set_disabled(state, actor, u.id, true).await.map_err(app_err)?;
            println!("已停用 {}：其全部会话已结束，接口令牌在重新启用前不可用", u.username);
        }
        UserCommand::Enable { username } => {
            let u = find_user(state, &username).await?;
            users::set_disabled(state, actor, u.id, false).await.map_err(app_err)?;
            println!("已启用 {}", u.username);
        }
        UserCommand::Link { username, person } => {
            let u = find_user(state, &username).await?;
            let r = person_ref(person.police_no.as_deref(), person.id_number.as_deref())?
                .context("请用 --police-no 或 --id-number 指定人员")?;
            let p = links::link_person(state, actor, u.id, &r).await.map_err(app_err)?;
            println!("已将 {} 关联到人员档案：{}（{}）", u.username, p.name, p.org_name);
            owner_password_hint(state, actor, u.id).await?;
        }
        UserCommand::Unlink { username } => {
            let u = find_user(state, &username).await?;
            links::unlink_person(state, actor, u.id).await.map_err(app_err)?;
            println!("已解除 {} 与人员档案的关联", u.username);
        }
    }
    Ok(())
}

/// After a grant or a link: an account that can now read sensitive data but whose password
/// its owner did not set cannot log in until the owner sets one with a one-time code.
async fn owner_password_hint(state: &AppState, actor: &crate::auth::Actor, user_id: i32) -> anyhow::Result<()> {
    let u = users::get_user(state, actor, user_id).await.map_err(app_err)?;
    if u.needs_owner_password() {
        println!(
            "注意：{} 现在能查阅敏感信息，而它的密码不是本人设置的，在本人设置密码之前不能登录。\
             请运行 dangjian user passwd {} 签发一次性设置码（或由安全保密管理员在网页上签发），交给本人。",
            u.username, u.username
        );
    }
    Ok(())
}

fn role_names() -> String {
    Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
}

/// First start of a real installation: a root organization and the three system officers,
/// each with a random password (returned to be printed once) to be changed at first login.
/// Does nothing when any account exists.
pub async fn bootstrap(state: &AppState) -> anyhow::Result<Vec<(String, String)>> {
    if user::Entity::find().count(&state.db).await? > 0 {
        return Ok(Vec::new());
    }
    let actor = sessions::cli_actor();
    let root = match org::Entity::find().filter(org::Column::ParentId.is_null()).one(&state.db).await? {
        Some(root) => root,
        None => {
            let input = crate::orgs::service::OrgInput {
                name: "市公安局党委".into(),
                kind: OrgKind::Committee.as_str().into(),
                parent_id: None,
                unit_name: "市公安局".into(),
            };
            let view =
                crate::orgs::service::create(state, &sessions::cli_root_actor(), input).await.map_err(app_err)?;
            org::Entity::find_by_id(view.id).one(&state.db).await?.context("根党组织创建失败")?
        }
    };
    let mut created = Vec::new();
    for (username, name, role) in [
        ("admin", "系统管理员", Role::Sysadmin),
        ("secadmin", "安全保密管理员", Role::Secadmin),
        ("auditor", "安全审计员", Role::Auditor),
    ] {
        let new = NewUser { username: username.into(), display_name: name.into(), password: None, demo: false };
        let (u, initial) = users::create_user(state, &actor, new).await.map_err(app_err)?;
        grants::add_grant(state, &actor, u.id, role, root.id).await.map_err(app_err)?;
        created.push((format!("{username}（{name}）"), initial));
    }
    Ok(created)
}
