import { describe, expect, it } from 'vitest';

const registry: string[] = [];
function Register(name: string) {
  return <T extends abstract new (...args: never[]) => unknown>(target: T): T => {
    registry.push(`${name}:${target.name}`);
    return target;
  };
}
const seen: string[] = [];
function Field(): PropertyDecorator {
  return (target, key) => {
    seen.push(`${(target.constructor as { name: string }).name}.${String(key)}`);
  };
}
function Arg(index: string): ParameterDecorator {
  return (_target, key, i) => {
    seen.push(`${String(key)}#${i}=${index}`);
  };
}

@Register('thing')
class Thing {
  @Field()
  name?: string;

  greet(@Arg('who') who: string): string {
    return `hi ${who}`;
  }
}

describe('legacy (experimentalDecorators) decorators', () => {
  it('compile and run under vitest', () => {
    expect(registry).toEqual(['thing:Thing']);
    expect(seen).toEqual(['Thing.name', 'greet#0=who']);
    expect(new Thing().greet('x')).toBe('hi x');
    // useDefineForClassFields: false → an undecorated/uninitialised field is not an own property.
    expect(Object.prototype.hasOwnProperty.call(new Thing(), 'name')).toBe(false);
  });
});
