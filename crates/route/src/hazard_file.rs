//! The hazard file: a GeoJSON FeatureCollection of Points (with `radius_m`) and Polygons,
//! each with `id`, `severity`, `valid_from` and `valid_until` properties (docs/routing.md).
//!
//! Text in, hazards out; errors name the feature (by id, or by position when it has none).
//! Imports the hazard type only.

use crate::error::RouteError;
use crate::hazard::Hazard;
use safeconduct_domain::model::Severity;
use safeconduct_domain::values::{Coordinate, Timestamp};
use serde_json::Value;

/// Reads every hazard of a FeatureCollection.
pub fn hazards_from_geojson(text: &str) -> Result<Vec<Hazard>, RouteError> {
    let file = |reason: String| RouteError::HazardFile(reason);
    let root: Value = serde_json::from_str(text).map_err(|e| file(format!("not JSON: {e}")))?;
    if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(file("the top level must be a FeatureCollection".into()));
    }
    let features = root
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| file("a FeatureCollection needs a features array".into()))?;
    features
        .iter()
        .enumerate()
        .map(|(i, f)| feature(i, f))
        .collect()
}

fn feature(index: usize, f: &Value) -> Result<Hazard, RouteError> {
    let props = f.get("properties").unwrap_or(&Value::Null);
    let id = props
        .get("id")
        .or_else(|| f.get("id"))
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| format!("#{index}"));
    let refuse = |reason: String| RouteError::Hazard {
        id: id.clone(),
        reason,
    };
    let severity: Severity = serde_json::from_value(
        props
            .get("severity")
            .cloned()
            .ok_or_else(|| refuse("no severity (low, medium, high or critical)".into()))?,
    )
    .map_err(|_| refuse("severity must be low, medium, high or critical".into()))?;
    let time = |key: &'static str| -> Result<Option<Timestamp>, RouteError> {
        match props.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Timestamp::parse_rfc3339(key, s)
                .map(Some)
                .map_err(|_| refuse(format!("{key} {s:?} is not an RFC 3339 time"))),
            Some(_) => Err(refuse(format!("{key} must be an RFC 3339 text or null"))),
        }
    };
    let (valid_from, valid_until) = (time("valid_from")?, time("valid_until")?);
    let geometry = f
        .get("geometry")
        .ok_or_else(|| refuse("no geometry".into()))?;
    let coordinates = geometry
        .get("coordinates")
        .ok_or_else(|| refuse("geometry without coordinates".into()))?;
    match geometry.get("type").and_then(Value::as_str) {
        Some("Point") => {
            let centre = position(coordinates).map_err(refuse)?;
            let radius_m = props
                .get("radius_m")
                .and_then(Value::as_f64)
                .ok_or_else(|| refuse("a Point needs a numeric radius_m property".into()))?;
            Hazard::circle(
                id.clone(),
                centre,
                radius_m,
                severity,
                valid_from,
                valid_until,
            )
        }
        Some("Polygon") => {
            let rings = coordinates
                .as_array()
                .ok_or_else(|| refuse("Polygon coordinates must be an array of rings".into()))?
                .iter()
                .map(|ring| {
                    ring.as_array()
                        .ok_or_else(|| "a ring must be an array of positions".to_owned())?
                        .iter()
                        .map(position)
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(refuse)?;
            Hazard::polygon(id.clone(), rings, severity, valid_from, valid_until)
        }
        Some(other) => Err(refuse(format!(
            "geometry {other} is not supported; use Point with radius_m, or Polygon"
        ))),
        None => Err(refuse("geometry without type".into())),
    }
}

/// A GeoJSON position: [longitude, latitude].
fn position(v: &Value) -> Result<Coordinate, String> {
    let pair = v
        .as_array()
        .filter(|a| a.len() >= 2)
        .and_then(|a| Some((a[0].as_f64()?, a[1].as_f64()?)))
        .ok_or_else(|| format!("position {v} is not [longitude, latitude]"))?;
    Coordinate::new(pair.1, pair.0).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hazard::Area;

    #[test]
    fn a_point_and_a_polygon_are_read_with_their_properties() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Point","coordinates":[24.94,60.17]},
           "properties":{"id":"checkpoint-1","radius_m":80,"severity":"critical",
                         "valid_from":"2026-11-26T08:00:00Z","valid_until":null}},
          {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[24.93,60.16],[24.95,60.16],[24.95,60.17],[24.93,60.16]]]},
           "properties":{"id":"crowd","severity":"medium"}}]}"#;
        let hazards = hazards_from_geojson(text).unwrap();
        assert_eq!(hazards.len(), 2);
        assert_eq!(hazards[0].id(), "checkpoint-1");
        assert!(matches!(hazards[0].area(), Area::Circle { radius_m, .. } if *radius_m == 80.0));
        assert!(!hazards[0].active_at(Timestamp(0)));
        assert_eq!(hazards[1].severity(), Severity::Medium);
    }

    #[test]
    fn a_point_without_a_radius_is_refused_by_its_id() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
          "geometry":{"type":"Point","coordinates":[24.94,60.17]},
          "properties":{"id":"h7","severity":"high"}}]}"#;
        let err = hazards_from_geojson(text).unwrap_err().to_string();
        assert!(err.contains("h7") && err.contains("radius_m"), "{err}");
    }

    #[test]
    fn an_unknown_severity_is_refused() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
          "geometry":{"type":"Point","coordinates":[24.94,60.17]},
          "properties":{"radius_m":10,"severity":"dire"}}]}"#;
        let err = hazards_from_geojson(text).unwrap_err().to_string();
        assert!(err.contains("#0") && err.contains("severity"), "{err}");
    }

    #[test]
    fn a_line_geometry_is_refused() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
          "geometry":{"type":"LineString","coordinates":[[24.94,60.17],[24.95,60.17]]},
          "properties":{"id":"l","severity":"high"}}]}"#;
        assert!(
            hazards_from_geojson(text)
                .unwrap_err()
                .to_string()
                .contains("LineString")
        );
    }

    #[test]
    fn a_bad_time_is_refused() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
          "geometry":{"type":"Point","coordinates":[24.94,60.17]},
          "properties":{"id":"t","radius_m":10,"severity":"low","valid_from":"tomorrow"}}]}"#;
        assert!(
            hazards_from_geojson(text)
                .unwrap_err()
                .to_string()
                .contains("valid_from")
        );
    }

    #[test]
    fn a_latitude_out_of_range_is_refused() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
          "geometry":{"type":"Point","coordinates":[24.94,95.0]},
          "properties":{"id":"far","radius_m":10,"severity":"low"}}]}"#;
        assert!(
            hazards_from_geojson(text)
                .unwrap_err()
                .to_string()
                .contains("latitude")
        );
    }

    #[test]
    fn a_document_that_is_not_a_feature_collection_is_refused() {
        assert!(hazards_from_geojson(r#"{"type":"Feature"}"#).is_err());
        assert!(hazards_from_geojson("[").is_err());
    }
}
