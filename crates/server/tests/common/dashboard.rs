//! What the tests of the coordinator's pages share: waiting for the funnel to show a count,
//! opening the confirmation dialog every action goes through, and a plan's preview and acceptance.

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

/// Runs the planner from the plan page and waits for its preview.
pub async fn preview_plan(browser: &Browser) {
    browser
        .click_until_shown("#run", "preview", "the preview")
        .await;
}

/// Accepts the plan previewed, from the plan page: what the page then says.
pub async fn accept_plan(browser: &Browser) -> String {
    browser
        .click_until(
            "#accept",
            "!document.getElementById('accept-confirm').hidden",
            "the question",
        )
        .await;
    browser
        .click_until(
            "#accept-yes",
            "document.getElementById('accept-result').className === 'ok'",
            "the acceptance",
        )
        .await;
    browser.text("#accept-result").await
}
