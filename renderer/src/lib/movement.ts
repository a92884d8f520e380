import type { RowMovement } from './api/engine';

/** How a chart row's movement reads: ↑3, ↓2, NEW, = (and what a screen reader says). */
export function movementLabel(m: Partial<RowMovement>): { text: string; title: string } {
  switch (m.change) {
    case 'up':
      return m.delta === null || m.delta === undefined
        ? { text: '↑', title: 'Up from below the previous top 1000' }
        : { text: `↑${m.delta}`, title: `Up ${m.delta} from #${m.previous_rank}` };
    case 'down':
      return { text: `↓${-(m.delta ?? 0)}`, title: `Down ${-(m.delta ?? 0)} from #${m.previous_rank}` };
    case 'same':
      return { text: '=', title: `Same place as in the previous window` };
    case 'new':
      return { text: 'NEW', title: 'Not played in the previous window' };
    default:
      return { text: '–', title: 'Movement unknown: the previous window is beyond retention' };
  }
}
