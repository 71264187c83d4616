//! What the tests of the coordinator dashboard share: waiting for the funnel to show a count,
//! and opening the confirmation dialog every action goes through.

use super::browser::Browser;

/// Waits until the funnel shows `households` households in `stage`.
pub async fn wait_shown(browser: &Browser, stage: &str, households: &str) {
    browser
        .wait_until(
            &format!(
                "document.querySelector('[data-stage={stage}] .households').textContent === '{households}'"
            ),
            &format!("{households} households shown in {stage}"),
        )
        .await;
}

/// Clicks `button` and waits for the confirmation dialog it opens.
pub async fn open_dialog(browser: &Browser, button: &str) {
    browser.click(button).await;
    browser
        .wait_until("document.getElementById('confirm').open", "the dialog")
        .await;
}
