import nock from "nock";
import { afterEach, beforeAll } from "@jest/globals";
import { assertHttpMocksSettled } from "./helpers/http-mock.js";

// SPEC §14.6: the CLI and tests keep `command` workers; the App's suites run them as an operator who allowed them.
process.env.OKSTRA_COMMAND_WORKERS ??= "1";

// No test reaches the network; loopback stays open for the servers tests start themselves.
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
});

afterEach(() => {
  assertHttpMocksSettled();
});
