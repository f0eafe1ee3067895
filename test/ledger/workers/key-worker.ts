/**
 * One process using the CLI's ledger key for the first time: waits for "go"
 * on stdin (so all start together), loads (or creates) the key file named by
 * OKSTRA_LEDGER_KEY_FILE and prints the signing key's id. Run with `node --import tsx`.
 */
import { once } from "node:events";
import { cliLedgerKeyring } from "../../../src/ledger/ledger-key.js";

process.stdout.write("ready\n");
await once(process.stdin, "data");
const keys = await cliLedgerKeyring();
process.stdout.write(`${JSON.stringify({ id: keys.signing.id, secret: keys.signing.secret.toString("base64") })}\n`);
