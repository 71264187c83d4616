//! The gazetteer: the extract's named places (landmarks) and streets, looked up by a name
//! as a caller says it — normalised, by prefix, or with a letter or two wrong — and the
//! landmark nearest a point, for guidance.
//!
//! Imports geometry and names only; it does not know the graph.

use crate::geo::{Grid, Point, Projection};
use crate::walking::PlaceName;
use safeconduct_domain::values::Coordinate;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    Landmark,
    Street,
}

#[derive(Debug, Clone)]
pub struct Place {
    pub name: PlaceName,
    pub at: Coordinate,
    pub kind: PlaceKind,
}

#[derive(Debug)]
pub struct Gazetteer {
    places: Vec<Place>,
    /// (normalised form, place), sorted by form, for exact and prefix lookups.
    keys: Vec<(String, u32)>,
    landmarks: Grid,
}

/// A name as it is compared: decomposed, without accents or Arabic vowel marks, lower case,
/// punctuation as spaces, spaces collapsed.
pub fn normalise(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        // Tatweel only stretches Arabic letters.
        if c == '\u{0640}' {
            continue;
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.trim_end().to_owned()
}

/// Levenshtein distance over characters, giving up above `limit`.
fn edit_distance(a: &[char], b: &[char], limit: usize) -> usize {
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        if current.iter().min().is_some_and(|&m| m > limit) {
            return limit + 1;
        }
        previous = current;
    }
    previous[b.len()]
}

impl Gazetteer {
    pub fn new(entries: Vec<(PlaceName, Coordinate, PlaceKind)>, projection: &Projection) -> Self {
        let places: Vec<Place> = entries
            .into_iter()
            .map(|(name, at, kind)| Place { name, at, kind })
            .collect();
        let mut keys: Vec<(String, u32)> = places
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.name.all_forms().map(move |f| (normalise(f), i as u32)))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        keys.sort();
        keys.dedup();
        let landmarks = Grid::new(
            places
                .iter()
                .enumerate()
                .filter(|(_, p)| p.kind == PlaceKind::Landmark)
                .map(|(i, p)| (i as u32, projection.project_coordinate(p.at))),
            100.0,
        );
        Gazetteer {
            places,
            keys,
            landmarks,
        }
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// The place a caller means by `query`: an exact name first, then the shortest name that
    /// starts with it, then the nearest spelling (one wrong letter in up to five, two in
    /// longer names). Landmarks win ties over streets.
    pub fn find(&self, query: &str) -> Option<&Place> {
        let q = normalise(query);
        if q.is_empty() {
            return None;
        }
        let start = self.keys.partition_point(|(k, _)| k.as_str() < q.as_str());
        let prefixed: Vec<&(String, u32)> = self.keys[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(&q))
            .collect();
        let rank = |&(ref k, i): &(String, u32)| {
            let kind = usize::from(self.places[i as usize].kind == PlaceKind::Street);
            (k.chars().count(), kind, i)
        };
        if let Some(best) = prefixed.iter().min_by_key(|e| rank(e)) {
            return Some(&self.places[best.1 as usize]);
        }
        let qc: Vec<char> = q.chars().collect();
        let limit = if qc.len() <= 5 { 1 } else { 2 };
        self.keys
            .iter()
            .filter_map(|(k, i)| {
                let kc: Vec<char> = k.chars().collect();
                let d = edit_distance(&qc, &kc, limit);
                (d <= limit).then_some((d, rank(&(k.clone(), *i)), *i))
            })
            .min()
            .map(|(_, _, i)| &self.places[i as usize])
    }

    /// Up to `limit` places a caller may mean by `query`, best first: names starting with it
    /// (shortest first, landmarks before streets), else the one `find` gives.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Place> {
        let q = normalise(query);
        if q.is_empty() || limit == 0 {
            return Vec::new();
        }
        let start = self.keys.partition_point(|(k, _)| k.as_str() < q.as_str());
        let mut found: Vec<(usize, usize, u32)> = self.keys[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(&q))
            .map(|(k, i)| {
                let kind = usize::from(self.places[*i as usize].kind == PlaceKind::Street);
                (k.chars().count(), kind, *i)
            })
            .collect();
        found.sort();
        let mut places: Vec<u32> = Vec::new();
        for (_, _, i) in found {
            if !places.contains(&i) {
                places.push(i);
            }
            if places.len() == limit {
                break;
            }
        }
        if places.is_empty() {
            return self.find(query).into_iter().collect();
        }
        places.iter().map(|&i| &self.places[i as usize]).collect()
    }

    /// The landmark nearest to `p` within `radius_m`.
    pub fn landmark_near(&self, p: Point, radius_m: f64) -> Option<&Place> {
        self.landmarks
            .nearest(p, radius_m)
            .map(|(i, _)| &self.places[i as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gazetteer() -> Gazetteer {
        let at = Coordinate::new(60.17, 24.94).unwrap();
        Gazetteer::new(
            vec![
                (PlaceName::plain("Rautatientori"), at, PlaceKind::Landmark),
                (PlaceName::plain("Mannerheimintie"), at, PlaceKind::Street),
                (PlaceName::plain("Stockmann"), at, PlaceKind::Landmark),
                (PlaceName::plain("Café Ekberg"), at, PlaceKind::Landmark),
            ],
            &Projection::around(60.17, 24.94),
        )
    }

    #[test]
    fn normalising_drops_accents_case_and_punctuation() {
        assert_eq!(normalise("  Café-Ekberg!! "), "cafe ekberg");
        assert_eq!(normalise("مَسجد"), "مسجد");
    }

    #[test]
    fn an_exact_name_is_found_whatever_its_accents_and_case() {
        assert_eq!(
            gazetteer().find("cafe ekberg").unwrap().name.name(),
            "Café Ekberg"
        );
    }

    #[test]
    fn a_few_first_letters_find_the_place() {
        assert_eq!(
            gazetteer().find("Manner").unwrap().name.name(),
            "Mannerheimintie"
        );
        assert_eq!(gazetteer().find("stock").unwrap().name.name(), "Stockmann");
    }

    #[test]
    fn a_misspelt_name_is_found_within_two_letters() {
        assert_eq!(
            gazetteer().find("Rautatintori").unwrap().name.name(),
            "Rautatientori"
        );
        assert_eq!(
            gazetteer().find("Stokman").unwrap().name.name(),
            "Stockmann"
        );
    }

    #[test]
    fn a_search_lists_the_places_starting_with_the_query_then_the_nearest_spelling() {
        let g = gazetteer();
        let names = |q: &str| -> Vec<String> {
            g.search(q, 5)
                .iter()
                .map(|p| p.name.name().to_owned())
                .collect()
        };
        assert_eq!(names("st"), ["Stockmann"]);
        assert_eq!(names("Stokman"), ["Stockmann"]);
        assert!(names("Kandahar airfield").is_empty());
        assert_eq!(g.search("a", 0).len(), 0);
    }

    #[test]
    fn a_name_far_from_every_place_finds_nothing() {
        assert!(gazetteer().find("Kandahar airfield").is_none());
        assert!(gazetteer().find("  ").is_none());
    }
}
