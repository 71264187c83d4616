//! Finding the columns volunteers actually used, whatever they called them.

use crate::IntakeError;

#[derive(Debug, Clone, Default)]
pub struct Columns {
    pub name: usize,
    pub native_name: Option<usize>,
    pub phone: Option<usize>,
    pub document: Option<usize>,
    pub household: Option<usize>,
    pub category: Option<usize>,
    pub birth_year: Option<usize>,
    pub location: Option<usize>,
    pub latitude: Option<usize>,
    pub longitude: Option<usize>,
    pub needs: Option<usize>,
    pub language: Option<usize>,
    pub notes: Option<usize>,
}

impl Columns {
    pub fn from_header(header: &csv::StringRecord) -> Result<Self, IntakeError> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
        let find = |pred: &dyn Fn(&str) -> bool| names.iter().position(|h| pred(h));
        let native = |h: &str| {
            ["dari", "pashto", "native", "script", "farsi", "arabic"]
                .iter()
                .any(|w| h.contains(w))
        };
        let name = find(&|h| h.contains("name") && !native(h)).ok_or_else(|| {
            IntakeError::NoNameColumn(header.iter().collect::<Vec<_>>().join(", "))
        })?;
        Ok(Columns {
            name,
            native_name: find(&|h| h.contains("name") && native(h)),
            phone: find(&|h| {
                ["phone", "whatsapp", "mobile", "tel"]
                    .iter()
                    .any(|w| h.contains(w))
            }),
            document: find(&|h| {
                ["passport", "tazkira", "document", "id no"]
                    .iter()
                    .any(|w| h.contains(w))
            }),
            household: find(&|h| h.contains("household") || h == "hh" || h.contains("family")),
            category: find(&|h| h.contains("category") || h.contains("eligib")),
            birth_year: find(&|h| h.contains("birth") || h == "yob" || h == "year"),
            location: find(&|h| {
                h.contains("location") || h.contains("district") || h.contains("address")
            }),
            latitude: find(&|h| h == "lat" || h.contains("latitude")),
            longitude: find(&|h| {
                h == "lon" || h == "lng" || h == "long" || h.contains("longitude")
            }),
            needs: find(&|h| h.contains("needs") || h.contains("mobility") || h == "access"),
            language: find(&|h| h.contains("language")),
            notes: find(&|h| h.contains("note") || h.contains("comment")),
        })
    }
}
