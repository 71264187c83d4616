//! Which OpenStreetMap ways a person on foot may use, what kind of way each is, and the names
//! it carries in the languages of the people served.
//!
//! Rules only: imports `pbf::tag` to read tags and nothing that builds the graph.

use crate::pbf::tag;
use safeconduct_domain::values::Language;

/// What kind of way an edge lies on; guidance names unnamed ways by it, and steps are slower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WayKind {
    /// A street that cars use too.
    Street,
    /// A footway, path, pedestrian street, cycleway or track.
    Footway,
    Steps,
}

impl WayKind {
    /// How many times longer walking takes than on a street: steps are climbed slowly.
    pub fn time_factor(self) -> f64 {
        match self {
            WayKind::Steps => 2.0,
            WayKind::Street | WayKind::Footway => 1.0,
        }
    }
}

/// Walking speed on the level, metres per second (a family with children and bags).
pub const WALKING_SPEED_M_S: f64 = 1.2;

/// Values of `foot` or `access` that grant passage on foot.
fn grants(value: Option<&str>) -> bool {
    matches!(
        value,
        Some("yes" | "designated" | "permissive" | "official")
    )
}

/// Values of `foot` or `access` that forbid it.
fn forbids(value: Option<&str>) -> bool {
    matches!(value, Some("no" | "private" | "military" | "restricted"))
}

/// The kind of a way if someone on foot may use it, `None` otherwise.
///
/// Motorways and trunk roads are closed to walkers unless `foot` grants passage; `access=no`
/// or `private` closes a way unless `foot` grants it; `foot=no` closes it whatever else is
/// said. Ways under construction, proposed or abandoned are not ways yet (or any more).
pub fn walkable(tags: &[(String, String)]) -> Option<WayKind> {
    let highway = tag(tags, "highway")?;
    let foot = tag(tags, "foot");
    if forbids(foot) {
        return None;
    }
    if forbids(tag(tags, "access")) && !grants(foot) {
        return None;
    }
    let kind = match highway {
        "footway" | "path" | "pedestrian" | "cycleway" | "track" | "bridleway" | "corridor"
        | "platform" => WayKind::Footway,
        "steps" => WayKind::Steps,
        "residential" | "living_street" | "service" | "unclassified" | "road" | "tertiary"
        | "tertiary_link" | "secondary" | "secondary_link" | "primary" | "primary_link" => {
            WayKind::Street
        }
        "motorway" | "motorway_link" | "trunk" | "trunk_link" if grants(foot) => WayKind::Street,
        _ => return None,
    };
    // An area tagged as a pedestrian square is walked along its outline, which still joins
    // the streets around it; the outline is kept.
    Some(kind)
}

/// The tag holding a way's name in a language, as OpenStreetMap writes it.
pub fn name_key(language: Language) -> &'static str {
    match language {
        Language::English => "name:en",
        Language::French => "name:fr",
        Language::Dari => "name:fa",
        Language::Pashto => "name:ps",
        Language::Arabic => "name:ar",
        Language::Ukrainian => "name:uk",
    }
}

/// A name as the map gives it, with the translations the map has.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlaceName {
    name: String,
    translations: Vec<(Language, String)>,
}

impl PlaceName {
    /// The name of a tagged element; `None` when it has no `name`.
    pub fn from_tags(tags: &[(String, String)]) -> Option<Self> {
        let name = tag(tags, "name")?.trim();
        if name.is_empty() {
            return None;
        }
        // A name is kept in every language the map has it in (`name_key` names each).
        let translations = safeconduct_i18n::ALL
            .iter()
            .filter_map(|&l| {
                tag(tags, name_key(l))
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(|n| (l, n.to_owned()))
            })
            .collect();
        Some(PlaceName {
            name: name.to_owned(),
            translations,
        })
    }

    /// A name without translations (generated graphs, tests).
    pub fn plain(name: impl Into<String>) -> Self {
        PlaceName {
            name: name.into(),
            translations: Vec::new(),
        }
    }

    /// The name to show a reader of `language`: its translation if the map has one.
    pub fn in_language(&self, language: Language) -> &str {
        self.translations
            .iter()
            .find(|(l, _)| *l == language)
            .map_or(self.name.as_str(), |(_, n)| n.as_str())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every form of the name, for the gazetteer.
    pub fn all_forms(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.translations.iter().map(|(_, n)| n.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn footways_streets_and_steps_are_walkable_with_their_kind() {
        assert_eq!(
            walkable(&tags(&[("highway", "footway")])),
            Some(WayKind::Footway)
        );
        assert_eq!(
            walkable(&tags(&[("highway", "residential")])),
            Some(WayKind::Street)
        );
        assert_eq!(
            walkable(&tags(&[("highway", "steps")])),
            Some(WayKind::Steps)
        );
    }

    #[test]
    fn a_motorway_is_closed_to_walkers_unless_foot_is_granted() {
        assert_eq!(walkable(&tags(&[("highway", "motorway")])), None);
        assert_eq!(walkable(&tags(&[("highway", "trunk")])), None);
        assert_eq!(
            walkable(&tags(&[("highway", "trunk"), ("foot", "yes")])),
            Some(WayKind::Street)
        );
    }

    #[test]
    fn private_or_no_access_closes_a_way_unless_foot_is_granted() {
        assert_eq!(
            walkable(&tags(&[("highway", "service"), ("access", "private")])),
            None
        );
        assert_eq!(
            walkable(&tags(&[("highway", "service"), ("access", "no")])),
            None
        );
        assert_eq!(
            walkable(&tags(&[
                ("highway", "service"),
                ("access", "no"),
                ("foot", "yes")
            ])),
            Some(WayKind::Street)
        );
    }

    #[test]
    fn foot_no_closes_any_way() {
        assert_eq!(
            walkable(&tags(&[("highway", "primary"), ("foot", "no")])),
            None
        );
    }

    #[test]
    fn ways_that_are_not_highways_or_not_built_are_not_walkable() {
        assert_eq!(walkable(&tags(&[("building", "yes")])), None);
        assert_eq!(walkable(&tags(&[("highway", "construction")])), None);
        assert_eq!(walkable(&tags(&[("highway", "proposed")])), None);
    }

    #[test]
    fn a_name_is_shown_in_the_readers_language_when_the_map_has_it() {
        let name = PlaceName::from_tags(&tags(&[
            ("name", "Rautatientori"),
            ("name:ar", "ساحة محطة القطار"),
            ("name:fr", "Place de la Gare"),
        ]))
        .unwrap();
        assert_eq!(name.in_language(Language::Arabic), "ساحة محطة القطار");
        assert_eq!(name.in_language(Language::French), "Place de la Gare");
        assert_eq!(name.in_language(Language::Pashto), "Rautatientori");
    }
}
