/** Where the Graph adapter learns its customers: a configured list, or Partner Center. */
import type { Customer } from '../../licensing/model.js';

export interface CustomerDirectory {
  searchCustomers(query: string, limit: number): Promise<Customer[]>;
  getCustomer(customerId: string): Promise<Customer | null>;
}

export interface ConfiguredCustomer {
  tenantId: string;
  name: string;
}

/** GRAPH_CUSTOMERS: the customer id is the tenant id. */
export class StaticCustomerDirectory implements CustomerDirectory {
  private readonly customers: Customer[];

  constructor(customers: readonly ConfiguredCustomer[]) {
    this.customers = customers
      .map((c) => ({ id: c.tenantId, tenantId: c.tenantId, name: c.name }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  async searchCustomers(query: string, limit: number): Promise<Customer[]> {
    const q = query.trim().toLowerCase();
    return this.customers
      .filter((c) => q === '' || c.name.toLowerCase().startsWith(q) || c.tenantId.toLowerCase().startsWith(q))
      .slice(0, limit);
  }

  async getCustomer(customerId: string): Promise<Customer | null> {
    return this.customers.find((c) => c.id === customerId) ?? null;
  }

  get tenantIds(): string[] {
    return this.customers.map((c) => c.tenantId);
  }
}
