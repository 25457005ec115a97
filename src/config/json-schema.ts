import { z } from 'zod';
import { LabConfigFields } from './schema';

/** JSON Schema of the lab config as written (defaults optional), for editor completion. */
export function labJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(LabConfigFields, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
    $id: 'https://msm-kit.invalid/lab.config.schema.json',
    title: 'msm-kit lab config',
  };
}
