/**
 * Confusion matrix as a row-normalised heatmap (rows = ground truth, columns = prediction): each
 * cell's shade is its share of the row; hovering shows the pixel count.
 */
export function ConfusionHeatmap({ numClasses, counts, names }: { numClasses: number; counts: number[]; names: string[] }) {
  const rows = Array.from({ length: numClasses }, (_, i) => counts.slice(i * numClasses, (i + 1) * numClasses));
  const name = (i: number) => names[i] ?? `class ${i}`;
  const showText = numClasses <= 12;
  return (
    <div className="scroll">
      <table className="heatmap" data-testid="confusion">
        <thead>
          <tr>
            <th title="rows: ground truth, columns: prediction">gt \ pred</th>
            {rows.map((_, j) => (
              <th key={j} title={name(j)}>
                {j}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => {
            const total = row.reduce((s, v) => s + v, 0);
            return (
              <tr key={i}>
                <th className="rowhead">
                  {i} {name(i)}
                </th>
                {row.map((v, j) => {
                  const share = total > 0 ? v / total : 0;
                  return (
                    <td
                      key={j}
                      title={`ground truth ${name(i)} → predicted ${name(j)}: ${v.toLocaleString('en-US')} pixels${total > 0 ? ` (${(share * 100).toFixed(1)}% of the row)` : ''}`}
                      style={{ background: `rgba(31, 119, 180, ${share.toFixed(3)})`, color: share > 0.55 ? '#fff' : '#222' }}
                    >
                      {showText && total > 0 ? `${(share * 100).toFixed(0)}` : ''}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="note">Row-normalised (% of each ground-truth class); hover a cell for its pixel count.</p>
    </div>
  );
}
