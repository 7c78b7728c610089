// Evidence Hub front-end entry point (ES module).
// Loaded with <script type="module" src="/static/app.js">.
import { initAll } from './govuk-frontend/govuk-frontend.min.js'

initAll()
