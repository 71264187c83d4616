//! QR codes of passes, as SVG and PNG. Error correction M: a crumpled print or a cracked
//! screen still reads. The text form is all QR alphanumeric characters, so the encoder packs
//! it in alphanumeric mode.
//!
//! Pure computation from the pass's text; knows nothing of keys, files or HTTP.

use qrcode::{Color, EcLevel, QrCode};

/// Modules of quiet zone around the code, as the QR standard asks.
const QUIET: usize = 4;

pub struct Qr {
    code: QrCode,
}

impl Qr {
    pub fn new(text: &str) -> Result<Self, String> {
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map(|code| Qr { code })
            .map_err(|e| format!("the pass does not fit a QR code: {e}"))
    }

    /// The QR version (1–40); passes stay at 10 or below.
    pub fn version(&self) -> i16 {
        match self.code.version() {
            qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
        }
    }

    fn dark(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let w = self.code.width();
        self.code
            .to_colors()
            .into_iter()
            .enumerate()
            .filter(|(_, c)| *c == Color::Dark)
            .map(move |(i, _)| (i % w, i / w))
    }

    /// An SVG whose side is `QUIET * 2 + width` user units, scaled by the viewer.
    pub fn svg(&self) -> String {
        self.svg_labelled("pass QR code")
    }

    /// The same SVG, named `label` for screen readers (plain text: no markup).
    pub fn svg_labelled(&self, label: &str) -> String {
        let side = self.code.width() + 2 * QUIET;
        let mut path = String::new();
        for (x, y) in self.dark() {
            path.push_str(&format!("M{} {}h1v1h-1z", x + QUIET, y + QUIET));
        }
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges" role="img" aria-label="{label}"><rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
        )
    }

    /// A greyscale PNG with `scale` pixels per module.
    pub fn png(&self, scale: usize) -> Vec<u8> {
        let side = (self.code.width() + 2 * QUIET) * scale;
        let mut pixels = vec![255u8; side * side];
        for (x, y) in self.dark() {
            for dy in 0..scale {
                let row = ((y + QUIET) * scale + dy) * side;
                let start = row + (x + QUIET) * scale;
                pixels[start..start + scale].fill(0);
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .expect("writing a PNG header to memory cannot fail");
        writer
            .write_image_data(&pixels)
            .expect("writing PNG data to memory cannot fail");
        drop(writer);
        out
    }
}
