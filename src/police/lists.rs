//! The lists the police fields are checked against, with where each comes from. The order is
//! the order of the choices (highest first where there is a ladder).

/// 警衔, the 13 grades of 《中华人民共和国人民警察警衔条例》 第七条 (1992), highest first.
pub const RANKS: &[&str] = &[
    "总警监",
    "副总警监",
    "一级警监",
    "二级警监",
    "三级警监",
    "一级警督",
    "二级警督",
    "三级警督",
    "一级警司",
    "二级警司",
    "三级警司",
    "一级警员",
    "二级警员",
];

/// 职级 of 民警 in the 执法勤务警员职务序列 (公安机关执法勤务警员职务序列改革, 2016), highest
/// first. The 警务技术 sequence (警务技术一级总监 …) and the 综合管理类 职级 of 机关 staff are not
/// in it yet: the bureau's own list was not available (see docs/USER-GUIDE.md).
pub const GRADES: &[&str] = &[
    "一级高级警长",
    "二级高级警长",
    "三级高级警长",
    "四级高级警长",
    "一级警长",
    "二级警长",
    "三级警长",
    "四级警长",
    "一级警员",
    "二级警员",
];

/// 领导职务 held in a 市公安局 and its 分局、支队、大队、派出所 (a list the bureau maintains; these
/// are the usual titles, 公安机关组织管理条例 and common practice).
pub const LEADER_POSTS: &[&str] = &[
    "局长",
    "政委",
    "副局长",
    "政治部主任",
    "督察长",
    "支队长",
    "支队政委",
    "副支队长",
    "大队长",
    "大队教导员",
    "副大队长",
    "所长",
    "教导员",
    "副所长",
    "副教导员",
    "中队长",
    "中队指导员",
    "副中队长",
    "科长",
    "副科长",
    "主任",
    "副主任",
];

/// 警种: the police branches a 市公安局 organizes its work in (common practice).
pub const POLICE_TYPES: &[&str] = &[
    "治安管理",
    "刑事侦查",
    "交通管理",
    "巡逻特警",
    "经济犯罪侦查",
    "网络安全保卫",
    "国内安全保卫",
    "禁毒",
    "出入境管理",
    "技术侦查",
    "监所管理",
    "食药环侦",
    "指挥情报",
    "法制",
    "警务督察",
    "政工",
    "警务保障",
];

/// 编制: the staffing a 民警 or 工勤 post is funded under. 辅警 hold none.
pub const ESTABLISHMENTS: &[&str] = &["政法专项编制", "行政编制", "事业编制", "工勤编制"];

/// 辅警类别 (国办〔2016〕《关于规范公安机关警务辅助人员管理工作的意见》: 文职 and 勤务).
pub const AUX_KINDS: &[&str] = &["勤务辅警", "文职辅警"];

/// Who employs a 辅警: the bureau itself, or a labour-dispatch company (劳务派遣).
pub const EMPLOYER_KINDS: &[&str] = &["公安机关", "派遣单位"];

/// 奖励, lowest first (公务员奖励规定 第七条; 公安机关人民警察奖励条令: 嘉奖、三等功、二等功、
/// 一等功、荣誉称号).
pub const AWARD_KINDS: &[&str] = &["嘉奖", "三等功", "二等功", "一等功", "荣誉称号"];

/// 年度考核 of 民警 and 工勤 (公务员法 第三十八条: 优秀、称职、基本称职、不称职), and 不定等次 for a
/// year under a sanction that allows only a comment (公务员考核规定; research/domain.md §5.6).
pub const APPRAISAL_GRADES: &[&str] = &["优秀", "称职", "基本称职", "不称职", "不定等次"];

/// 年度考核 of 辅警. The 辅警管理办法 text in research/domain.md §6.3 names “年度考核不合格” as
/// grounds for dismissal, so 合格/不合格 are sourced. 基本合格 was an assumption (borrowed from
/// 民主评议党员, §4.2) with no source for 辅警 and was dropped: migration
/// `m20261205_000027_roster_fixes` turned the recorded ones into 合格 with a note in the comment.
/// 优秀 is kept as the bureau's own top grade (no source in domain.md either; to confirm).
pub const AUX_APPRAISAL_GRADES: &[&str] = &["优秀", "合格", "不合格"];

/// The earliest appraisal year accepted (a record older than this is a typing mistake).
pub const FIRST_YEAR: i32 = 1980;
