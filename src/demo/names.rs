//! Word lists for the synthetic bureau. The city and its districts are invented.

use rand::Rng;

pub const CITY: &str = "海滨市";

/// Six-digit region codes used for generated ID numbers (fictional mix).
pub const REGIONS: &[&str] = &["370202", "370203", "370211", "370212", "370213", "370214", "370281", "370283"];

pub const DEPARTMENTS: &[&str] = &[
    "政治部",
    "警令部",
    "指挥中心",
    "刑事侦查支队",
    "治安管理支队",
    "交通警察支队",
    "经济犯罪侦查支队",
    "网络安全保卫支队",
    "禁毒支队",
    "法制支队",
    "警务督察支队",
    "出入境管理支队",
    "特警支队",
    "监所管理支队",
    "科技信息化支队",
    "后勤保障部",
];

pub const BRIGADES: &[&str] =
    &["刑侦大队", "治安大队", "交警大队", "经侦大队", "禁毒大队", "巡特警大队", "法制大队", "看守所"];

const DISTRICTS: &[&str] = &[
    "东港", "西岸", "南湾", "北山", "新城", "老城", "滨江", "高新", "临港", "青峰", "白沙", "金湖", "石桥", "云台",
    "龙泉", "凤鸣",
];

const STATION_WORDS: &[&str] = &[
    "中山路",
    "人民路",
    "解放路",
    "海岸",
    "港口",
    "东风",
    "红旗",
    "新华",
    "建设",
    "和平",
    "幸福",
    "光明",
    "朝阳",
    "文化",
    "胜利",
    "友谊",
    "长青",
    "松柏",
    "桃源",
    "柳营",
    "星光",
    "东湖",
    "西湖",
    "南门",
    "北门",
];

pub fn district(i: usize) -> String {
    let base = DISTRICTS[i % DISTRICTS.len()];
    if i < DISTRICTS.len() { base.to_owned() } else { format!("{base}{}", i / DISTRICTS.len() + 1) }
}

pub fn station(bureau: usize, s: usize) -> String {
    let word = STATION_WORDS[(bureau * 7 + s) % STATION_WORDS.len()];
    if s < STATION_WORDS.len() { word.to_owned() } else { format!("{word}{}", s / STATION_WORDS.len() + 1) }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎",
];
const MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宁",
    "浩", "凯", "健", "俊", "帆", "帅", "旭", "宇", "林", "晨", "博", "建国", "志强", "海洋", "国栋", "晓东", "振华",
];
const FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "琳", "颖", "倩", "洁", "璐", "欣", "晶",
    "丹", "红梅", "晓燕", "丽娟", "雅琴",
];

pub fn person_name(rng: &mut impl Rng, male: bool) -> String {
    let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let pool = if male { MALE } else { FEMALE };
    let first = pool[rng.gen_range(0..pool.len())];
    if first.chars().count() == 1 && rng.gen_bool(0.55) {
        let second = pool[rng.gen_range(0..pool.len())];
        if second.chars().count() == 1 {
            return format!("{surname}{first}{second}");
        }
    }
    format!("{surname}{first}")
}

/// Political status by type and age; shares are assumptions (domain.md §9.3 found no source).
pub fn pick_political(rng: &mut impl Rng, regular: bool, age: i32) -> &'static str {
    let roll: f64 = rng.r#gen();
    let table: &[(f64, &'static str)] = if regular {
        &[
            (0.72, "中共党员"),
            (0.75, "中共预备党员"),
            (0.77, "发展对象"),
            (0.82, "入党积极分子"),
            (0.86, "共青团员"),
            (1.0, "群众"),
        ]
    } else {
        &[
            (0.12, "中共党员"),
            (0.14, "中共预备党员"),
            (0.16, "发展对象"),
            (0.22, "入党积极分子"),
            (0.50, "共青团员"),
            (1.0, "群众"),
        ]
    };
    let status = table.iter().find(|(p, _)| roll < *p).map_or("群众", |(_, s)| s);
    // The Communist Youth League ends at 28.
    if status == "共青团员" && age > 28 { "群众" } else { status }
}

pub fn ethnicity(rng: &mut impl Rng) -> &'static str {
    let roll: f64 = rng.r#gen();
    match roll {
        r if r < 0.92 => "汉族",
        r if r < 0.95 => "满族",
        r if r < 0.97 => "回族",
        r if r < 0.99 => "朝鲜族",
        _ => "蒙古族",
    }
}

pub fn education(rng: &mut impl Rng, regular: bool) -> &'static str {
    let roll: f64 = rng.r#gen();
    let table: &[(f64, &'static str)] = if regular {
        &[(0.12, "研究生"), (0.78, "大学本科"), (0.97, "大学专科"), (1.0, "中等专科")]
    } else {
        &[(0.25, "大学本科"), (0.70, "大学专科"), (0.90, "高中"), (1.0, "中等专科")]
    };
    table.iter().find(|(p, _)| roll < *p).map_or("大学本科", |(_, e)| e)
}

/// A post and, for regular police, a rank that fits the age.
pub fn post(rng: &mut impl Rng, regular: bool, age: i32) -> (&'static str, Option<&'static str>) {
    if !regular {
        return (["辅警", "辅警", "辅警", "文职辅警"][rng.gen_range(0..4)], None);
    }
    let position = match rng.gen_range(0..20) {
        0 => "所长",
        1 => "教导员",
        2 | 3 => "副所长",
        4..=6 => "中队长",
        _ => "民警",
    };
    let rank = match age {
        ..=27 => "二级警司",
        28..=34 => "一级警司",
        35..=44 => "三级警督",
        45..=52 => "二级警督",
        _ => "一级警督",
    };
    (position, Some(rank))
}
