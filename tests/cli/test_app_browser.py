"""``soudan app`` in a real headless Chromium: upload, check, run, chart, download, bad files.

Debian's chromium and chromium-driver (installed by scripts/install_browser.sh, which
``make test`` calls) are driven by selenium through /usr/bin/chromedriver: selenium-manager
never runs and nothing is downloaded. Screenshots go to the test's tmp_path (and to
$SOUDAN_APP_SCREENSHOTS when set, for looking at them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openpyxl
import pytest

from flows.app.launch import HOST, free_port
from fixtures.xlsx_text import sheet_text

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "data" / "demo" / "consultations_synthetic.csv"
DEMO_SURVEY = ROOT / "data" / "survey" / "survey_synthetic.xlsx"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="needs Debian's chromium and chromium-driver: run scripts/install_browser.sh as root"),
]
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """``soudan app --port N`` on a free loopback port (it execs the Streamlit server)."""
    port = free_port()
    log = (tmp_path_factory.mktemp("app") / "server.log").open("w")
    env = {**os.environ, "HOME": str(tmp_path_factory.mktemp("home"))}  # no user config is read
    soudan = Path(sys.executable).with_name("soudan")
    argv = [str(soudan)] if soudan.exists() else [sys.executable, "-m", "flows.cli"]
    server = subprocess.Popen([*argv, "app", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the app did not start (exit {server.poll()}); see {log.name}")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture()
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=ja",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.downloads = downloads
    driver.shots = tmp_path
    try:
        yield driver
    finally:
        driver.quit()


def shoot(driver, name: str) -> Path:
    """A full-height screenshot into tmp_path (and $SOUDAN_APP_SCREENSHOTS)."""
    height = driver.execute_script(
        "const m = document.querySelector('[data-testid=\"stMain\"]') || document.body; return m.scrollHeight;")
    driver.set_window_size(1400, max(1000, min(int(height) + 200, 6000)))
    path = driver.shots / f"{name}.png"
    driver.save_screenshot(str(path))
    if os.environ.get("SOUDAN_APP_SCREENSHOTS"):
        target = Path(os.environ["SOUDAN_APP_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)
    driver.set_window_size(1400, 1000)
    return path


def page_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def wait_for_text(driver, text: str, timeout: float = 60) -> None:
    WebDriverWait(driver, timeout, poll_frequency=0.5).until(lambda d: text in page_text(d))


def open_app(driver, url: str) -> None:
    driver.get(url)
    wait_for_text(driver, "相談ログの分析")
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[type=file]"))


def upload(driver, *paths: Path, label: str = "相談ログ") -> None:
    """Choose files, all at once, in the uploader whose label starts with ``label``."""
    xpath = f"//*[@data-testid='stFileUploader'][.//*[starts-with(normalize-space(text()), '{label}')]]//input[@type='file']"
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.XPATH, xpath))
    driver.find_element(By.XPATH, xpath).send_keys("\n".join(str(p) for p in paths))


def button(driver, label: str, timeout: float = 60):
    """The button labelled ``label``, once the page has drawn it."""
    xpath = f"//button[.//*[normalize-space(text())='{label}']]"
    WebDriverWait(driver, timeout, poll_frequency=0.3).until(lambda d: d.find_elements(By.XPATH, xpath))
    return driver.find_element(By.XPATH, xpath)


def errors_shown(driver) -> str:
    return "\n".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-testid=stAlertContentError]"))


def test_bad_files_give_a_japanese_message_not_a_traceback(app_url, browser, tmp_path):
    png = tmp_path / "写真.csv"  # a PNG renamed .csv
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    no_text = tmp_path / "本文なし.csv"
    no_text.write_text("相談ID,相談日時,年代\nA1,2024/08/04 22:15,10代\n", encoding="utf-8")

    open_app(browser, app_url)
    upload(browser, png, no_text)
    WebDriverWait(browser, 60).until(lambda d: "写真.csv" in errors_shown(d) and "本文なし.csv" in errors_shown(d))
    run = button(browser, "分析を実行")
    shoot(browser, "bad_files")
    shown = errors_shown(browser)
    assert "文字コードを判別できません" in shown
    assert "必須の列がありません: 相談内容" in shown
    assert "soudan-upload" not in shown and "/tmp" not in shown  # the private temporary folder is not named
    assert "Traceback" not in page_text(browser)
    assert not run.is_enabled()


def test_upload_run_chart_and_download_xlsx(app_url, browser):
    start = time.monotonic()
    open_app(browser, app_url)
    upload(browser, DEMO_CSV)
    wait_for_text(browser, "入力チェック")
    # The demo's fiscal year (the period's default dates), as `soudan demo` analyses it.
    period = "//label[.//*[normalize-space(text())='期間を指定する']]"  # drawn after the check: wait for it
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.XPATH, period))
    browser.find_element(By.XPATH, period).click()
    wait_for_text(browser, "開始日")
    shoot(browser, "uploaded")
    run = button(browser, "分析を実行")
    assert run.is_enabled()
    run.click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=stProgress]"))
    wait_for_text(browser, "分析が終わりました", timeout=600)
    assert "完了" in browser.find_element(By.CSS_SELECTOR, "[data-testid=stProgress]").text  # the bar at its end
    # The month chart: report's PNG, captioned with the table's title, actually decoded.
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=stImage] img"))
    image = browser.find_element(By.CSS_SELECTOR, "[data-testid=stImage] img")
    WebDriverWait(browser, 30).until(  # decoded: a broken image never gets a width
        lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 300)
    captions = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "[data-testid=stImageCaption]")]
    assert "月別の相談件数" in captions
    shoot(browser, "results")
    text = page_text(browser)
    assert "相談 1,626 件" in text and "合成データ" in text and "Traceback" not in text

    # A table with 秘匿 and 参考値 cells: as the report sheet prints it, cell for cell.
    choose = browser.find_element(
        By.XPATH, "//div[@data-testid='stSelectbox'][.//*[normalize-space(text())='表を選ぶ']]//input")
    choose.click()
    choose.send_keys("年代別の相談テーマ")
    choose.send_keys(Keys.ENTER)
    WebDriverWait(browser, 60).until(lambda d: "秘匿 66 行・参考値 42 行" in page_text(d))
    shown = [[cell.text.strip() for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
             for row in browser.find_elements(By.CSS_SELECTOR, "[data-testid=stTable] tr")]
    shoot(browser, "marks")

    button(browser, "report.xlsx をダウンロード").click()
    target = browser.downloads / "report.xlsx"
    deadline = time.monotonic() + 60
    while not (target.exists() and not list(browser.downloads.glob("*.crdownload"))):
        assert time.monotonic() < deadline, f"no download: {list(browser.downloads.iterdir())}"
        time.sleep(0.3)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:3] == ["README", "主な所見", "月別"]
    assert book["月別"]["A1"].value == "月別の相談件数（by_month）"
    assert book["README"]["A1"].value == "相談ログ分析レポート（soudan）"
    sheet = book["テーマ_年代別"]
    assert sheet["A1"].value == "年代別の相談テーマ（theme_by_age_band）"
    assert shown == sheet_text(sheet)
    assert any("秘匿" in row for row in shown) and any("参考値" in row for row in shown)
    print(f"browser run: {time.monotonic() - start:.1f} s")
    explore_and_kwic_tabs(browser)
    print(f"browser run with 語の分析 and KWIC: {time.monotonic() - start:.1f} s")


DEMO_NAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"]  # data/fragments.py


def tab(driver, label: str) -> None:
    driver.find_element(By.XPATH, f"//*[@role='tab'][.//*[normalize-space(text())='{label}']]").click()


def idle(driver, timeout: float = 60) -> None:
    """Wait until the app has finished the script run the last input started."""
    time.sleep(0.5)
    WebDriverWait(driver, timeout, poll_frequency=0.3).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid=stStatusWidgetRunningIcon]"))


def explore_and_kwic_tabs(browser) -> None:
    """On the finished demo run: the 語の分析 charts, then KWIC of さん (masked, no planted name or number)."""
    tab(browser, "語の分析")
    wait_for_text(browser, "よく使われる語")
    captions = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "[data-testid=stImageCaption]") if c.text]
    assert "よく使われる語" in captions and "共起ネットワーク：全体" not in captions  # the frequency sheet first
    shoot(browser, "explore")

    tab(browser, "KWIC（語の前後の文脈）")
    term = browser.find_element(By.XPATH, "//div[@data-testid='stTextInput'][.//*[normalize-space(text())='調べる語']]//input")
    term.send_keys("さん", Keys.ENTER)
    idle(browser)  # the rerun that takes the term in; a click during it can be lost
    button(browser, "KWIC を表示").click()
    try:
        wait_for_text(browser, "件の相談から", timeout=120)
    except Exception:
        shoot(browser, "kwic_failed")
        raise
    rows = [[cell.text.strip() for cell in row.find_elements(By.CSS_SELECTOR, "td")] for row in browser.find_elements(
        By.XPATH, "//table[.//th[normalize-space()='前の文脈']]//tbody/tr")]
    assert len(rows) == 100 and {row[1] for row in rows} == {"さん"}
    text = "\n".join("".join(row) for row in rows)
    assert "〔氏名〕さん" in text  # the demo's {name}さん, masked (so the next check can fail)
    assert not [name for name in DEMO_NAMES if name in text] and "-0000-" not in text and "@example" not in text
    browser.find_element(By.XPATH, "//label[.//*[normalize-space(text())='希死念慮などの内容を含む発言も対象にする']]").click()
    wait_for_text(browser, "希死念慮・自殺念慮・自傷などの内容を含む発言も表示されます")
    assert "Traceback" not in page_text(browser)
    shoot(browser, "kwic")


def test_survey_tab_runs_the_survey_analysis(app_url, browser):
    open_app(browser, app_url)
    browser.find_element(By.XPATH, "//*[@role='tab'][.//*[normalize-space(text())='アンケートの分析']]").click()
    upload(browser, DEMO_SURVEY, label="アンケートのファイル")
    button(browser, "アンケートを分析")
    WebDriverWait(browser, 30).until(lambda d: button(d, "アンケートを分析").is_enabled())
    button(browser, "アンケートを分析").click()
    wait_for_text(browser, "回答者 720 人", timeout=300)
    button(browser, "survey_report.xlsx をダウンロード")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=stTable] tr"))
    shoot(browser, "survey")
    text = page_text(browser)
    assert "Traceback" not in text and "回答者数" in text
