import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { createRealRun, writePage, type RealRun } from "./real-run.js";

/**
 * The page opened in a real browser: Debian's chromium, driven by
 * playwright-core (which never downloads a browser of its own). Nothing is
 * installed at run time, so without chromium the test is skipped with the
 * reason in its name — except under CI, where .ci/run installs chromium and
 * a missing one is a failure.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const OUTPUT = path.join(path.dirname(fileURLToPath(import.meta.url)), "__output__");
const available = existsSync(CHROMIUM);
const required = process.env.CI === "true" || process.env.CI === "1";
const NAME = "opens in headless Chromium with no console errors, no failed or outside requests and no injected markup";
const browserIt = available || required ? it : it.skip;
const title =
  available || required
    ? NAME
    : `${NAME} — skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; CI installs it)`;
// Jest lists no test names for a file whose every test is skipped, so the reason is printed too.
if (!available && !required) console.warn(`view-browser: ${title}`);

let run: RealRun | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  if (!available) return;
  run = await createRealRun(1);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await run?.repo.dispose();
});

describe("the okstra view page in a browser", () => {
  browserIt(title, async () => {
    if (!available) throw new Error(`CI needs Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
    const { file } = await writePage(run!);
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning")
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) =>
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
    );
    page.on("dialog", (dialog) => problems.push(`dialog: ${dialog.message()}`));
    page.on("request", (request) => requests.push(request.url()));

    const url = pathToFileURL(file).href;
    const response = await page.goto(url, { waitUntil: "load" });
    expect(response?.ok()).toBe(true);

    // The page draws what it promises: one box per stage, arrows for dependencies.
    expect(await page.locator("svg.dag g.dag-node").count()).toBe(run!.planStages.length);
    expect(await page.locator("svg.dag path.dag-edge").count()).toBe(
      run!.planStages.reduce((n, s) => n + s.dependsOn.length, 0),
    );
    expect(await page.locator("h1").innerText()).toContain(`Export <b>CSV</b> & "quotes" <script>alert(1)</script>`);
    // The hostile issue and comment produced no element and no handler.
    const injected = await page.evaluate(() => ({
      elements: document.querySelectorAll("script, img, iframe, object, embed, link, base, form").length,
      handlers: [...document.querySelectorAll("*")].flatMap((el) =>
        [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName} ${a.name}`),
      ),
      unsafeLinks: [...document.querySelectorAll("a")]
        .map((a) => a.getAttribute("href") ?? "")
        .filter((href) => !/^(https?|file|mailto):|^#/.test(href)),
    }));
    expect(injected).toEqual({ elements: 0, handlers: [], unsafeLinks: [] });

    await mkdir(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, "view-issue-1-top.png") });
    await page.screenshot({ path: path.join(OUTPUT, "view-issue-1-full.png"), fullPage: true });
    await page.close();

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
  });
});
