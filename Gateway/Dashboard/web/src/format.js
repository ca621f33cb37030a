const integer = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export const usd = (value) => {
  const v = Number(value) || 0;
  const digits = v === 0 || Math.abs(v) >= 1 ? 2 : Math.abs(v) >= 0.01 ? 4 : 6;
  return '$' + v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};
// Axis ticks: two significant digits are enough to read a chart.
export const tick = (value) => (value === 0 ? '$0' : '$' + (Math.abs(value) >= 1 ? value.toFixed(2) : Number(value.toPrecision(2)).toString()));
export const count = (value) => integer.format(Number(value) || 0);
export const short = (value) => compact.format(Number(value) || 0);
export const day = (iso) => iso.slice(0, 10);
export const dayLabel = (iso) => new Date(iso.slice(0, 10) + 'T00:00:00Z').toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
export const time = (iso) => new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + 'Z';

// Fills a table from rows of cells; a cell is text or { text, className }. Text only: never HTML from data.
export function table(element, headers, rows, empty = 'Nothing yet') {
  element.replaceChildren();
  const head = element.createTHead().insertRow();
  for (const h of headers) {
    const th = document.createElement('th');
    th.textContent = h.label ?? h;
    if (h.numeric) th.className = 'n';
    head.appendChild(th);
  }
  const body = element.createTBody();
  if (rows.length === 0) {
    const cell = body.insertRow().insertCell();
    cell.colSpan = headers.length;
    cell.className = 'empty';
    cell.textContent = empty;
    return;
  }
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((value, i) => {
      const td = tr.insertCell();
      const cell = typeof value === 'object' && value !== null ? value : { text: value };
      td.textContent = cell.text ?? '';
      td.className = [headers[i]?.numeric ? 'n' : '', cell.className ?? ''].join(' ').trim();
    });
  }
}
