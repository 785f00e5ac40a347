/** Plan problems of a submitted change as inline errors under the manage step's blocks they are about. */
import { ids, patterns } from '../../../blocks/ids.js';
import type { PlanProblem } from '../../licensing/plan.js';
import { approvalReason } from '../../licensing/policy.js';
import { replaceProblemError } from './replace-choice.js';

export type Errors = Record<string, string>;

interface InputBlock {
  type: string;
  block_id?: string;
  element?: { options?: readonly { value?: string; text?: { text?: string } }[] };
}

function inputBlocks(view: { blocks: readonly unknown[] }): InputBlock[] {
  return (view.blocks as InputBlock[]).filter(
    (block) => block.type === 'input' && block.block_id !== undefined,
  );
}

/** The input block of `pattern` that offers `skuId`, and the product's name as shown there. */
function blockOffering(view: { blocks: readonly unknown[] }, pattern: RegExp, skuId: string) {
  for (const block of inputBlocks(view)) {
    if (!pattern.test(block.block_id ?? '')) continue;
    const option = block.element?.options?.find((candidate) => candidate.value === skuId);
    if (option) return { blockId: block.block_id as string, name: option.text?.text ?? skuId };
  }
  return null;
}

/** The block that carries errors about the change as a whole: the first assign group. */
export function firstAssignBlock(view: { blocks: readonly unknown[] }): string | undefined {
  return inputBlocks(view).find((block) => patterns.assign.test(block.block_id ?? ''))?.block_id;
}

/** Plan problems as inline errors under the blocks they are about. */
export function problemErrors(
  view: { blocks: readonly unknown[] },
  problems: readonly PlanProblem[],
): Errors {
  const errors: Errors = {};
  const fallback = firstAssignBlock(view);
  const add = (blockId: string | undefined, message: string) => {
    const key = blockId ?? fallback ?? ids.blocks.reason;
    errors[key] = errors[key] ? `${errors[key]} ${message}` : message;
  };
  for (const problem of problems) {
    switch (problem.kind) {
      case 'empty':
        add(fallback, 'Tick at least one product to assign or to revoke, or choose one to replace.');
        break;
      case 'no_users':
        add(fallback, 'No user is selected any more. Start again with /licenses.');
        break;
      case 'both_ways': {
        const where = blockOffering(view, patterns.revoke, problem.skuId);
        add(where?.blockId, `${where?.name ?? problem.skuId} is ticked both to assign and to revoke.`);
        break;
      }
      case 'unknown_product': {
        const where = blockOffering(view, patterns.assign, problem.skuId);
        add(where?.blockId, `${where?.name ?? problem.skuId} is no longer offered for this customer.`);
        break;
      }
      case 'reason_required':
        add(
          ids.blocks.reason,
          problem.basis === undefined
            ? 'This request needs a manager’s approval: give a reason.'
            : `This request needs a manager’s approval: ${approvalReason(problem.basis)} Give a reason.`,
        );
        break;
      case 'unknown_customer':
        add(fallback, 'This customer is no longer available. Start again with /licenses.');
        break;
      default: {
        const nameOf = (skuId: string) => blockOffering(view, replacePattern, skuId)?.name ?? skuId;
        const error = replaceProblemError(problem, nameOf);
        if (error) add(error.blockId, error.text);
      }
    }
  }
  return errors;
}

/** The select that names every product a replacement may name. */
const replacePattern = new RegExp(`^${ids.blocks.replaceFrom}$`);
