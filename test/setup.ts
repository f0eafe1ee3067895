import nock from "nock";
import { afterEach, beforeAll } from "@jest/globals";
import { assertHttpMocksSettled } from "./helpers/http-mock.js";

// No test reaches the network; loopback stays open for the servers tests start themselves.
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
});

afterEach(() => {
  assertHttpMocksSettled();
});
