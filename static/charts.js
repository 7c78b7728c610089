// Draws the dashboards' Plotly charts. Each chart's figure is JSON in a
// <script type="application/json"> beside its container, built by the server;
// nothing here is inline, so the Content-Security-Policy stays strict.
const containers = document.querySelectorAll('[data-chart]')

for (const container of containers) {
  const source = document.getElementById(container.dataset.chart)
  if (!source || !window.Plotly) continue
  const figure = JSON.parse(source.textContent)
  window.Plotly.newPlot(container, figure.data, figure.layout, {
    displayModeBar: false,
    responsive: true,
    scrollZoom: false,
    doubleClick: false
  })
}
