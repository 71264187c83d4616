//! Where a household is, approximately, and what it needs of the way to its rendezvous point:
//! the planner's inputs that registration records. Both are personal data (a family's street,
//! a disability): the store keeps them sealed, never in clear.
//!
//! Also the operation's area, the region a stated location must fall in: no operation spans
//! more than a city, so a location far from every one of its places is a mistake (a swapped
//! latitude and longitude, a wrong sign), refused before it misleads a plan.
//!
//! Knows nothing of storage or wire formats.

use crate::error::DomainError;
use crate::expected::Expected;
use crate::values::Coordinate;

/// A household's location rounded to [`ApproximateLocation::DECIMALS`] decimals of a degree
/// (0.001°: about 110 m north–south, less east–west): enough to plan from, not an address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ApproximateLocation(Coordinate);

impl ApproximateLocation {
    pub const DECIMALS: i32 = 3;

    /// Rounds `at`; a coordinate that is already rounded is kept as it is.
    pub fn new(at: Coordinate) -> Self {
        let scale = 10f64.powi(Self::DECIMALS);
        let round = |x: f64| (x * scale).round() / scale;
        // Rounding keeps a valid latitude and longitude within their ranges.
        ApproximateLocation(Coordinate::new(round(at.lat()), round(at.lon())).unwrap_or(at))
    }

    /// From degrees as a caller states them, refused when they are not a position on Earth.
    pub fn parse(lat: f64, lon: f64) -> Result<Self, DomainError> {
        let at = Coordinate::new(lat, lon).map_err(|e| match e {
            DomainError::Invalid { reason, .. } => DomainError::invalid("location", reason),
            other => other,
        })?;
        Ok(Self::new(at))
    }

    /// Reads `LAT,LON` (as a spreadsheet or a form writes it), refused with what is wrong.
    pub fn parse_text(text: &str) -> Result<Self, DomainError> {
        let (lat, lon) = text
            .split_once(',')
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
            .ok_or_else(|| {
                DomainError::expected(
                    "location",
                    Expected::Form {
                        form: "a latitude and a longitude in degrees, as LAT,LON".to_string(),
                    },
                )
            })?;
        Self::parse(lat, lon)
    }

    pub fn coordinate(&self) -> Coordinate {
        self.0
    }
}

/// What a household needs of the way to its rendezvous point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TravelNeeds {
    /// Someone must be driven (a stretcher, a wheelchair): only an RV with vehicle access.
    pub needs_vehicle_access: bool,
    /// Someone cannot walk far: only an RV within a short walk.
    pub cannot_walk_far: bool,
}

impl TravelNeeds {
    /// Reads needs from free text (a spreadsheet's column or notes): words volunteers write.
    pub fn in_text(text: &str) -> Self {
        let t = text.to_lowercase();
        let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
        TravelNeeds {
            needs_vehicle_access: any(&["vehicle", "stretcher", "wheelchair", "bedridden"]),
            cannot_walk_far: any(&[
                "cannot walk",
                "can't walk",
                "walk far",
                "walking difficult",
                "wheelchair",
                "crutches",
            ]),
        }
    }

    pub fn any(&self) -> bool {
        self.needs_vehicle_access || self.cannot_walk_far
    }
}

/// The area of an operation: within [`OperationArea::RADIUS_KM`] of one of its rendezvous
/// points or gates.
#[derive(Debug, Clone)]
pub struct OperationArea {
    places: Vec<Coordinate>,
}

impl OperationArea {
    /// Further than this from every place of the operation is outside it (kilometres, whole:
    /// a refusal says it).
    pub const RADIUS_KM: u64 = 30;
    const RADIUS_M: f64 = Self::RADIUS_KM as f64 * 1000.0;

    pub fn new(places: Vec<Coordinate>) -> Self {
        OperationArea { places }
    }

    /// Refuses a location outside the area, or any location while the operation has no place
    /// to measure it from. The refusal does not repeat the location.
    pub fn check(&self, at: &ApproximateLocation) -> Result<(), DomainError> {
        if self.places.is_empty() {
            return Err(DomainError::invalid(
                "location",
                "the operation has no rendezvous point or gate yet, so no area a location \
                 could be checked against; register the household without one",
            ));
        }
        let c = at.coordinate();
        if self
            .places
            .iter()
            .any(|p| p.distance_m(&c) <= Self::RADIUS_M)
        {
            Ok(())
        } else {
            Err(DomainError::expected(
                "location",
                Expected::Near {
                    km: Self::RADIUS_KM,
                },
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kabul() -> Coordinate {
        Coordinate::new(34.5281, 69.1723).unwrap()
    }

    #[test]
    fn a_location_is_rounded_to_about_a_hundred_metres() {
        let l = ApproximateLocation::parse(34.528_149, 69.172_351).unwrap();
        assert_eq!(
            (l.coordinate().lat(), l.coordinate().lon()),
            (34.528, 69.172)
        );
        let l = ApproximateLocation::parse(-0.0006, 179.9999).unwrap();
        assert_eq!(
            (l.coordinate().lat(), l.coordinate().lon()),
            (-0.001, 180.0)
        );
    }

    #[test]
    fn a_location_off_the_earth_is_refused() {
        assert_eq!(
            ApproximateLocation::parse(91.0, 0.0)
                .unwrap_err()
                .to_string(),
            "location: expected a latitude from -90 to 90, not 91"
        );
        assert!(ApproximateLocation::parse(0.0, f64::NAN).is_err());
    }

    #[test]
    fn a_location_text_must_be_two_numbers() {
        assert!(ApproximateLocation::parse_text(" 34.52 , 69.17 ").is_ok());
        for bad in ["34.52", "34.52;69.17", "north,east", ""] {
            assert_eq!(
                ApproximateLocation::parse_text(bad)
                    .unwrap_err()
                    .to_string(),
                "location: expected a latitude and a longitude in degrees, as LAT,LON",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_area_takes_locations_near_a_place_and_refuses_far_ones() {
        let area = OperationArea::new(vec![kabul()]);
        assert!(
            area.check(&ApproximateLocation::parse(34.60, 69.25).unwrap())
                .is_ok()
        );
        // Latitude and longitude swapped: in the Arabian Sea.
        let err = area
            .check(&ApproximateLocation::parse(69.17, 34.52).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("location: is outside the operation's area"),
            "{err}"
        );
        assert!(
            !err.contains("69.17"),
            "the refusal repeats no location: {err}"
        );
    }

    #[test]
    fn an_operation_without_places_takes_no_location() {
        let err = OperationArea::new(vec![])
            .check(&ApproximateLocation::new(kabul()))
            .unwrap_err();
        assert!(err.to_string().contains("no rendezvous point or gate yet"));
    }

    #[test]
    fn needs_are_read_from_the_words_volunteers_write() {
        let n = TravelNeeds::in_text("Grandmother in a Wheelchair");
        assert!(n.needs_vehicle_access && n.cannot_walk_far);
        let n = TravelNeeds::in_text("father cannot walk far after surgery");
        assert!(!n.needs_vehicle_access && n.cannot_walk_far);
        assert!(!TravelNeeds::in_text("journalist, two children").any());
    }
}
