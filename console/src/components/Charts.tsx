/**
 * Small SVG charts. Each is an image with a text alternative and the figures in a table beside it
 * (visually hidden unless asked for), so nothing is only in the picture.
 */
import { useId, useState } from 'react';

export interface BarSeries {
  name: string;
  /** CSS class picking the colour (`series-0` … `series-5`, `good`, `bad`, `warn`). */
  tone: string;
}

export interface BarDatum {
  label: string;
  /** A second line under the label (e.g. a rate). */
  sublabel?: string;
  /** One value per series, as displayed (exact strings) and as plotted. */
  values: { display: string; plot: number }[];
}

export function BarChart({
  title,
  series,
  data,
  unit,
  stacked = true,
  height = 180,
}: {
  title: string;
  series: BarSeries[];
  data: BarDatum[];
  unit?: string;
  stacked?: boolean;
  height?: number;
}) {
  const id = useId();
  const [showTable, setShowTable] = useState(false);
  const width = Math.max(320, data.length * 88 + 48);
  const plotTop = 12;
  const plotBottom = height - (data.some((d) => d.sublabel) ? 40 : 28);
  const plotHeight = plotBottom - plotTop;
  const totals = data.map((d) => (stacked ? d.values.reduce((s, v) => s + Math.max(0, v.plot), 0) : Math.max(0, ...d.values.map((v) => v.plot))));
  const max = Math.max(1e-9, ...totals);
  const band = (width - 48) / Math.max(1, data.length);
  const barWidth = Math.min(36, band * 0.7);

  return (
    <figure className="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        {title}
        {unit ? <span className="chart-unit"> ({unit})</span> : null}
      </figcaption>
      <div className="chart-scroll">
        <svg width={width} height={height} role="img" aria-label={`${title}: ${describe(series, data)}`}>
          <line x1={40} x2={width - 4} y1={plotBottom} y2={plotBottom} className="chart-axis" />
          <text x={36} y={plotTop + 8} className="chart-tick" textAnchor="end">{compact(max)}</text>
          <text x={36} y={plotBottom} className="chart-tick" textAnchor="end">0</text>
          {data.map((datum, i) => {
            const x = 44 + i * band + (band - barWidth) / 2;
            let y = plotBottom;
            return (
              <g key={datum.label}>
                {datum.values.map((value, s) => {
                  const h = (Math.max(0, value.plot) / max) * plotHeight;
                  if (stacked) y -= h;
                  const w = stacked ? barWidth : barWidth / datum.values.length;
                  const bx = stacked ? x : x + s * w;
                  const by = stacked ? y : plotBottom - h;
                  return (
                    <rect key={s} x={bx} y={by} width={Math.max(1, w - (stacked ? 0 : 1))} height={h} className={`chart-bar ${series[s]?.tone ?? ''}`}>
                      <title>{`${datum.label} · ${series[s]?.name}: ${value.display}`}</title>
                    </rect>
                  );
                })}
                <text x={x + barWidth / 2} y={plotBottom + 16} className="chart-tick" textAnchor="middle">
                  {datum.label}
                </text>
                {datum.sublabel && (
                  <text x={x + barWidth / 2} y={plotBottom + 30} className="chart-tick" textAnchor="middle">
                    {datum.sublabel}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      {series.length > 1 && (
        <ul className="chart-legend">
          {series.map((s) => (
            <li key={s.name}>
              <span className={`legend-swatch ${s.tone}`} aria-hidden="true" /> {s.name}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="link-button" aria-expanded={showTable} onClick={() => setShowTable((v) => !v)}>
        {showTable ? 'Hide figures' : 'Show figures'}
      </button>
      <table className={showTable ? 'chart-table' : 'visually-hidden'}>
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">&nbsp;</th>
            {series.map((s) => (
              <th key={s.name} scope="col">{s.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              {d.values.map((v, i) => (
                <td key={i}>{v.display}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function describe(series: BarSeries[], data: BarDatum[]): string {
  return data
    .map((d) => `${d.label}${d.sublabel ? ` (${d.sublabel})` : ''}: ${d.values.map((v, i) => `${series[i]?.name} ${v.display}`).join(', ')}`)
    .join('; ');
}

function compact(value: number): string {
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/** A horizontal meter: part of a whole, e.g. usage against the included quota. */
export function Meter({ label, value, max, display }: { label: string; value: number; max: number; display: string }) {
  const over = max > 0 && value > max;
  const percent = max > 0 ? Math.min(100, (value / max) * 100) : value > 0 ? 100 : 0;
  return (
    <div className="meter">
      <div className="progress-label">
        <span>{label}</span>
        <span>{display}</span>
      </div>
      <div className="progress-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={max || 1} aria-valuenow={value} aria-valuetext={display}>
        <div className={`progress-fill${over ? ' over' : ''}`} style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
