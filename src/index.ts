// The Probot entry point: `probot run ./dist/index.js`. No logic here (STYLE §1); see app.ts.
import { okstraApp } from "./app.js";

export default okstraApp();
