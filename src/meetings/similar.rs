//! Near-duplicate minutes (反表象化). Chinese has no spaces, so minutes are compared as sets of
//! character shingles (3 consecutive characters, punctuation and spaces dropped). Each submitted
//! record keeps a MinHash signature of 64 values cut into 16 bands of 4 (`meeting_bands`, indexed
//! by band and hash): records sharing any band are the candidates, and only they are compared
//! exactly. Two texts with Jaccard similarity 0.85 share a band with probability above
//! 1 − (1 − 0.85⁴)¹⁶ ≈ 0.9999; unrelated texts almost never do. So a submission reads a
//! handful of candidates, not five years of a city's minutes. It never blocks anything: the
//! reviewer sees the similar record side by side and decides.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::entity::{band, meeting};
use crate::error::AppResult;

pub const SHINGLE: usize = 3;
const HASHES: usize = 64;
const ROWS: usize = 4;
pub const BANDS: usize = HASHES / ROWS;
/// Percent of shared shingles from which minutes are flagged.
pub const THRESHOLD: i32 = 85;
/// Minutes shorter than this (in characters kept) are not compared: "会议照常进行" says nothing.
pub const MIN_CHARS: usize = 30;

/// The characters that carry content: no whitespace, no punctuation.
pub fn kept(text: &str) -> Vec<char> {
    text.chars().filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation() && !is_cjk_punct(*c)).collect()
}

fn is_cjk_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ff0f}' | '\u{ff1a}'..='\u{ff20}' | '\u{2010}'..='\u{2027}')
}

fn fnv(chars: &[char]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in chars {
        for b in (*c as u32).to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The shingle hashes of a text.
pub fn shingles(text: &str) -> HashSet<u64> {
    let chars = kept(text);
    if chars.len() < SHINGLE {
        return HashSet::new();
    }
    chars.windows(SHINGLE).map(fnv).collect()
}

fn mix(x: u64, seed: u64) -> u64 {
    // splitmix64 of the shingle hash under each seed: 64 independent-enough permutations.
    let mut z = x ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The 16 band hashes of a text's MinHash signature; empty for a text too short to compare.
pub fn band_hashes(text: &str) -> Vec<i64> {
    let set = shingles(text);
    if kept(text).len() < MIN_CHARS {
        return Vec::new();
    }
    let sig: Vec<u64> = (0..HASHES as u64).map(|s| set.iter().map(|&x| mix(x, s + 1)).min().unwrap_or(0)).collect();
    sig.chunks(ROWS).map(|rows| fnv_u64(rows) as i64).collect()
}

fn fnv_u64(values: &[u64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in values {
        for b in v.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The share (percent) of the two texts' shingles they have in common (Jaccard).
pub fn similarity(a: &str, b: &str) -> i32 {
    let (sa, sb) = (shingles(a), shingles(b));
    let union = sa.union(&sb).count();
    if union == 0 {
        return 0;
    }
    (sa.intersection(&sb).count() * 100 / union) as i32
}

/// `text` cut into pieces, each marked when it lies in a shingle the other text shares: what the
/// side-by-side view highlights. Characters dropped for comparison join the piece around them.
pub fn highlight(text: &str, other: &str) -> Vec<(String, bool)> {
    let shared: HashSet<u64> = shingles(text).intersection(&shingles(other)).copied().collect();
    let all: Vec<char> = text.chars().collect();
    let kept_at: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_whitespace() && !c.is_ascii_punctuation() && !is_cjk_punct(**c))
        .map(|(i, _)| i)
        .collect();
    let mut marked = vec![false; all.len()];
    let kept_chars: Vec<char> = kept_at.iter().map(|&i| all[i]).collect();
    for (w, window) in kept_chars.windows(SHINGLE).enumerate() {
        if shared.contains(&fnv(window)) {
            for &i in &kept_at[w..w + SHINGLE] {
                marked[i] = true;
            }
        }
    }
    // Dropped characters between two marked ones stay in the mark.
    for i in 1..all.len().saturating_sub(1) {
        if !kept_at.contains(&i) && marked[i - 1] && marked.get(i + 1).copied().unwrap_or(false) {
            marked[i] = true;
        }
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    for (c, m) in all.into_iter().zip(marked) {
        match out.last_mut() {
            Some((s, last)) if *last == m => s.push(c),
            _ => out.push((c.to_string(), m)),
        }
    }
    out
}

/// Replaces the bands of record `id` with those of its minutes.
pub async fn index<C: ConnectionTrait>(db: &C, id: i32, minutes: &str) -> AppResult<()> {
    band::Entity::delete_many().filter(band::Column::MeetingId.eq(id)).exec(db).await?;
    let rows: Vec<band::ActiveModel> = band_hashes(minutes)
        .into_iter()
        .enumerate()
        .map(|(i, h)| band::ActiveModel {
            meeting_id: Set(id),
            band: Set(i as i16),
            hash: Set(h),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        band::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

/// The most similar other record (not a version of the same one) at or above the threshold:
/// `(id, percent)`.
pub async fn most_similar<C: ConnectionTrait>(
    db: &C,
    id: i32,
    root: i32,
    minutes: &str,
) -> AppResult<Option<(i32, i32)>> {
    let hashes = band_hashes(minutes);
    if hashes.is_empty() {
        return Ok(None);
    }
    let cond = hashes.iter().enumerate().fold(Condition::any(), |c, (i, h)| {
        c.add(Condition::all().add(band::Column::Band.eq(i as i16)).add(band::Column::Hash.eq(*h)))
    });
    let hits: Vec<i32> = band::Entity::find()
        .select_only()
        .column(band::Column::MeetingId)
        .filter(cond)
        .filter(band::Column::MeetingId.ne(id))
        .limit(2000)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for h in hits {
        *counts.entry(h).or_default() += 1;
    }
    let mut ranked: Vec<(i32, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(20);
    let ids: Vec<i32> = ranked.iter().map(|r| r.0).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let candidates = meeting::Entity::find().filter(meeting::Column::Id.is_in(ids)).all(db).await?;
    let best = candidates
        .iter()
        .filter(|m| m.root_id.unwrap_or(m.id) != root)
        .map(|m| (m.id, similarity(minutes, m.minutes.as_deref().unwrap_or(""))))
        .filter(|(_, s)| *s >= THRESHOLD)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "会议传达学习了市局党委关于开展从警初心大讨论的通知精神，支部书记结合派出所实际，\
        就如何做好社区警务、化解邻里纠纷提出了具体要求，与会党员逐一发言，查找了服务群众方面的差距。";

    #[test]
    fn copied_minutes_share_bands_and_score_high_and_unrelated_ones_do_not() {
        let copy = A.replace("派出所", "派出所 ");
        assert_eq!(similarity(A, &copy), 100, "spaces and punctuation do not count");
        let mut shared = 0;
        let (a, b) = (band_hashes(A), band_hashes(&copy));
        for (x, y) in a.iter().zip(&b) {
            shared += usize::from(x == y);
        }
        assert_eq!((a.len(), shared), (BANDS, BANDS));
        // A few words changed: still above the threshold.
        let edited = A.replace("具体要求", "明确要求");
        assert!(similarity(A, &edited) >= THRESHOLD, "{}", similarity(A, &edited));
        let other = "本次支部委员会研究了第四季度发展党员计划，确定两名入党积极分子的培养联系人，\
            并对年底党费收缴和困难党员慰问作了安排，会议还讨论了值班备勤中党员先锋岗的设置。";
        assert!(similarity(A, other) < 30, "{}", similarity(A, other));
        assert!(band_hashes("会议照常进行").is_empty(), "too short to say anything");
    }

    #[test]
    fn the_highlight_marks_what_both_texts_say() {
        let a = "今天学习了党章，讨论了警务工作。";
        let b = "学习了党章和条例。";
        let pieces = highlight(a, b);
        let marked: String = pieces.iter().filter(|p| p.1).map(|p| p.0.as_str()).collect();
        assert_eq!(marked, "学习了党章");
        let whole: String = pieces.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(whole, a);
    }
}
