import { badInput, groupByKeys, notFound, type GraphQLContext, type ServiceRuntime } from '@switchboard/kit';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { InventoryDeps } from '../inventory.js';
import { OdooSyncStatus } from '../sync/sync-graphql-types.js';
import { VariantSyncState } from '../sync/variant-sync-state.js';
import {
  adjustInventory,
  CatalogError,
  upsertProduct,
  upsertProductVariant,
  upsertStockLocation,
} from './catalog-service.js';
import { checkLocationCode, checkName, checkSku, checkVariantName, validateAdjustment } from './catalog-rules.js';
import { InventoryLevel } from './inventory-level.js';
import { Product } from './product.js';
import { ProductVariant } from './product-variant.js';
import { availableAt, availableStock } from './stock-rules.js';
import { StockLocation } from './stock-location.js';

type Ctx = GraphQLContext<ServiceRuntime & InventoryDeps>;

@ObjectType('InventoryLevel', { description: 'Stock of one variant at one location.' })
export class InventoryLevelView {
  @Field(() => StockLocation) location!: StockLocation;
  @Field(() => Int) quantity!: number;
  @Field(() => Int) reserved!: number;
  @Field(() => Int, { description: 'max(0, quantity − reserved); counts towards Odoo only at an active location.' }) available!: number;
  @Field(() => Date) updatedAt!: Date;

  static of(level: InventoryLevel): InventoryLevelView {
    return Object.assign(new InventoryLevelView(), {
      location: level.location.getEntity(),
      quantity: level.quantity,
      reserved: level.reserved,
      available: availableAt(level),
      updatedAt: level.updatedAt,
    });
  }
}

@ObjectType('OdooVariantSync', { description: "Where this variant's stock stands with Odoo." })
export class VariantSyncView {
  @Field(() => OdooSyncStatus, { nullable: true }) lastStatus?: string | null;
  @Field(() => Date, { nullable: true }) lastAttemptAt?: Date | null;
  @Field(() => Date, { nullable: true, description: 'When Odoo last accepted the stock.' }) lastSyncedAt?: Date | null;
  @Field(() => Int, { nullable: true, description: 'The figure Odoo last accepted.' }) lastQuantity?: number | null;
  @Field(() => String, { nullable: true }) lastError?: string | null;
  @Field(() => Boolean, { description: 'A sync is queued or running.' }) pending!: boolean;
}

@ObjectType('InventoryAdjustment')
export class InventoryAdjustmentView {
  @Field(() => ProductVariant) variant!: ProductVariant;
  @Field(() => InventoryLevelView) level!: InventoryLevelView;
  @Field(() => Boolean, { description: 'False when the figures were already those (nothing announced).' }) changed!: boolean;
}

@InputType()
export class ProductInput {
  @Field(() => ID, { nullable: true, description: 'Omit to create a product.' }) id?: string;
  @Field(() => String) name!: string;
  @Field(() => Boolean, { nullable: true }) active?: boolean;
}

@InputType()
export class ProductVariantInput {
  @Field(() => String, { description: 'Creates the variant, or updates the one with this SKU.' }) sku!: string;
  @Field(() => ID) productId!: string;
  @Field(() => String, { description: 'The variant label ("5mg"); may be empty.' }) name!: string;
  @Field(() => Boolean, { nullable: true }) active?: boolean;
}

@InputType()
export class StockLocationInput {
  @Field(() => String, { description: 'Creates the location, or updates the one with this code.' }) code!: string;
  @Field(() => String) name!: string;
  @Field(() => Boolean, { nullable: true, description: 'Switching it changes what Odoo is told for every variant stocked there.' }) active?: boolean;
}

@InputType()
export class AdjustInventoryInput {
  @Field(() => String) sku!: string;
  @Field(() => String) locationCode!: string;
  @Field(() => Int, { nullable: true, description: 'New on-hand units (absolute).' }) quantity?: number;
  @Field(() => Int, { nullable: true, description: 'New reserved units (absolute).' }) reserved?: number;
  @Field(() => String, { nullable: true }) reason?: string;
}

function clientError(error: unknown): never {
  if (error instanceof CatalogError) throw error.kind === 'not-found' ? notFound(error.message) : badInput(error.message, error.field);
  throw error;
}

function checked<T>(result: { ok: true; value: T } | { ok: false; field: string; message: string }): T {
  if (!result.ok) throw badInput(result.message, result.field);
  return result.value;
}

const listLimit = (limit: number) => {
  if (limit < 1 || limit > 500) throw badInput('limit must be between 1 and 500', 'limit');
  return limit;
};

function levelsLoader(ctx: Ctx) {
  return ctx.loader<string, InventoryLevel[]>('inventory.levelsByVariant', async (variantIds) => {
    const rows = await ctx.em.find(InventoryLevel, { variant: { $in: [...variantIds] } }, { populate: ['location'], orderBy: { id: 'asc' } });
    return groupByKeys(variantIds, rows, (row) => row.variant.id);
  });
}

export function variantBySkuLoader(ctx: GraphQLContext) {
  return ctx.loader<string, ProductVariant | null>('inventory.variantBySku', async (skus) => {
    const rows = await ctx.em.find(ProductVariant, { sku: { $in: [...skus] } });
    const bySku = new Map(rows.map((row) => [row.sku, row]));
    return skus.map((sku) => bySku.get(sku) ?? null);
  });
}

@Resolver(() => Product)
export class ProductResolver {
  @Authorized()
  @Query(() => [Product], { description: 'Products whose name contains `search`, by name.' })
  async products(
    @Ctx() ctx: Ctx,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('active', () => Boolean, { nullable: true }) active?: boolean,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit = 50,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ): Promise<Product[]> {
    const term = search?.trim().toLowerCase();
    return ctx.em.find(
      Product,
      { ...(term ? { name: { $ilike: `%${term}%` } } : {}), ...(active === undefined || active === null ? {} : { active }) },
      { orderBy: { name: 'asc', id: 'asc' }, limit: listLimit(limit), offset: Math.max(0, offset) },
    );
  }

  @Authorized()
  @Query(() => Product, { nullable: true })
  async product(@Ctx() ctx: Ctx, @Arg('id', () => ID) id: string): Promise<Product | null> {
    return ctx.em.findOne(Product, { id });
  }

  @Authorized()
  @FieldResolver(() => [ProductVariant])
  async variants(@Root() product: Product, @Ctx() ctx: Ctx): Promise<ProductVariant[]> {
    return ctx
      .loader<string, ProductVariant[]>('inventory.variantsByProduct', async (productIds) => {
        const rows = await ctx.em.find(ProductVariant, { product: { $in: [...productIds] } }, { orderBy: { sku: 'asc' } });
        return groupByKeys(productIds, rows, (row) => row.product.id);
      })
      .load(product.id);
  }

  @Authorized('ops')
  @Mutation(() => Product, { description: 'Create a product, or update the one with `id`.' })
  async upsertProduct(@Ctx() ctx: Ctx, @Arg('input', () => ProductInput) input: ProductInput): Promise<Product> {
    const name = checked(checkName(input.name));
    return upsertProduct(ctx.deps, { id: input.id ?? undefined, name, active: input.active ?? undefined }).catch(clientError);
  }
}

@Resolver(() => ProductVariant)
export class ProductVariantResolver {
  @Authorized()
  @Query(() => ProductVariant, { nullable: true })
  async productVariant(@Ctx() ctx: Ctx, @Arg('sku', () => String) sku: string): Promise<ProductVariant | null> {
    return variantBySkuLoader(ctx).load(sku.trim());
  }

  @Authorized()
  @FieldResolver(() => Product)
  async product(@Root() variant: ProductVariant, @Ctx() ctx: Ctx): Promise<Product> {
    return ctx
      .loader<string, Product>('inventory.productById', async (ids) => {
        const rows = await ctx.em.find(Product, { id: { $in: [...ids] } });
        const byId = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => byId.get(id) ?? new Error(`product ${id} not found`));
      })
      .load(variant.product.id);
  }

  @Authorized()
  @FieldResolver(() => [InventoryLevelView], { description: 'Stock per location.' })
  async inventory(@Root() variant: ProductVariant, @Ctx() ctx: Ctx): Promise<InventoryLevelView[]> {
    return (await levelsLoader(ctx).load(variant.id)).map((level) => InventoryLevelView.of(level));
  }

  @Authorized()
  @FieldResolver(() => Int, { description: 'What Odoo is told: Σ over active locations of max(0, quantity − reserved).' })
  async availableStock(@Root() variant: ProductVariant, @Ctx() ctx: Ctx): Promise<number> {
    const levels = await levelsLoader(ctx).load(variant.id);
    return availableStock(levels.map((l) => ({ quantity: l.quantity, reserved: l.reserved, locationActive: l.location.getEntity().active })));
  }

  @Authorized('ops')
  @FieldResolver(() => VariantSyncView)
  async odooSync(@Root() variant: ProductVariant, @Ctx() ctx: Ctx): Promise<VariantSyncView> {
    const state = await ctx
      .loader<string, VariantSyncState | null>('inventory.syncStateByVariant', async (ids) => {
        const rows = await ctx.em.find(VariantSyncState, { variantId: { $in: [...ids] } });
        const byId = new Map(rows.map((row) => [row.variantId, row]));
        return ids.map((id) => byId.get(id) ?? null);
      })
      .load(variant.id);
    return Object.assign(new VariantSyncView(), {
      lastStatus: state?.lastStatus ?? null,
      lastAttemptAt: state?.lastAttemptAt ?? null,
      lastSyncedAt: state?.lastSyncedAt ?? null,
      lastQuantity: state?.lastQuantity ?? null,
      lastError: state?.lastError ?? null,
      pending: Boolean(state?.waitingJobId || state?.activeJobId),
    });
  }

  @Authorized('ops')
  @Mutation(() => ProductVariant, { description: 'Create the variant with this SKU, or update it.' })
  async upsertProductVariant(@Ctx() ctx: Ctx, @Arg('input', () => ProductVariantInput) input: ProductVariantInput): Promise<ProductVariant> {
    const sku = checked(checkSku(input.sku));
    const name = checked(checkVariantName(input.name));
    return upsertProductVariant(ctx.deps, { sku, productId: input.productId, name, active: input.active ?? undefined }).catch(clientError);
  }

  @Authorized('ops')
  @Mutation(() => InventoryAdjustmentView, {
    description: 'Set on-hand and/or reserved units of a variant at a location; announces commerce.inventory.adjusted, which syncs the variant to Odoo.',
  })
  async adjustInventory(@Ctx() ctx: Ctx, @Arg('input', () => AdjustInventoryInput) input: AdjustInventoryInput): Promise<InventoryAdjustmentView> {
    const adjustment = checked(validateAdjustment(input));
    const outcome = await adjustInventory(ctx.deps, adjustment, ctx.identity?.sub ?? null).catch(clientError);
    return Object.assign(new InventoryAdjustmentView(), {
      variant: outcome.variant,
      level: InventoryLevelView.of(outcome.level),
      changed: outcome.changed,
    });
  }
}

@Resolver(() => StockLocation)
export class StockLocationResolver {
  @Authorized()
  @Query(() => [StockLocation])
  async stockLocations(@Ctx() ctx: Ctx, @Arg('active', () => Boolean, { nullable: true }) active?: boolean): Promise<StockLocation[]> {
    return ctx.em.find(StockLocation, active === undefined || active === null ? {} : { active }, { orderBy: { code: 'asc' } });
  }

  @Authorized('ops')
  @Mutation(() => StockLocation, { description: 'Create the location with this code, or update it.' })
  async upsertStockLocation(@Ctx() ctx: Ctx, @Arg('input', () => StockLocationInput) input: StockLocationInput): Promise<StockLocation> {
    const code = checked(checkLocationCode(input.code));
    const name = checked(checkName(input.name));
    return upsertStockLocation(ctx.deps, { code, name, active: input.active ?? undefined }, ctx.identity?.sub ?? null).catch(clientError);
  }
}

export const productVariantReference = {
  ProductVariant: {
    __resolveReference(reference: { sku: string }, ctx: GraphQLContext) {
      return typeof reference.sku === 'string' ? variantBySkuLoader(ctx).load(reference.sku) : null;
    },
  },
};
