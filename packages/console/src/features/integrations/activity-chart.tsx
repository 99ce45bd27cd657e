import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Activity } from '../../api/endpoints.ts';
import { denseHours } from './activity-assessment.ts';

const SERIES = [
  { key: 'minted', label: 'Minted', stroke: '#1d4ed8', dash: undefined },
  { key: 'reused', label: 'Reused', stroke: '#15803d', dash: [8, 4] },
  { key: 'refused', label: 'Refused', stroke: '#b91c1c', dash: [2, 3] },
] as const;

/**
 * Minted, reused and refused token requests per hour (uPlot: ~50 kB, canvas, no dependencies).
 * Colours differ and so do dash patterns, for readers who cannot tell the colours apart.
 */
export function ActivityChart({ activity, label }: { activity: Activity; label: string }) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const hours = denseHours(activity);
    const x = hours.map((h) => Math.floor(new Date(h.hour).getTime() / 1000));
    const data: uPlot.AlignedData = [x, ...SERIES.map((s) => hours.map((h) => h[s.key]))];
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] } },
        axes: [{ stroke: '#374151' }, { stroke: '#374151', size: 48 }],
        series: [
          { label: 'Hour' },
          ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, ...(s.dash ? { dash: [...s.dash] } : {}), points: { show: true, size: 5 } })),
        ],
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [activity]);

  return <div ref={container} className="chart" role="img" aria-label={label} />;
}
