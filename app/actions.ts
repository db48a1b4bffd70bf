"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { identifyCaller } from "@/lib/api/caller";
import { toAppError } from "@/lib/api/http";
import { mintOwner } from "@/lib/api/owner";
import { isAppError } from "@/lib/errors";
import { submitItinerary } from "@/lib/itineraries/submit";
import { formValuesToInput, readFormValues, type SubmitFormState } from "./form";

export async function submitItineraryAction(
  _previous: SubmitFormState,
  formData: FormData,
): Promise<SubmitFormState> {
  const values = readFormValues(formData);
  let jobId: string;
  try {
    const requestHeaders = await headers();
    const caller = await identifyCaller(requestHeaders);
    // A browser's first trip makes it an owner; the limits still count this request in
    // the bucket it came with (its address or the shared one), not a fresh owner's.
    const minted = caller.kind === "browser" ? null : await mintOwner(requestHeaders.get("host"));
    const { job } = await submitItinerary(formValuesToInput(values), {
      clientKey: caller.clientKey,
      ownerKey: minted?.owner.ownerKey ?? caller.ownerKey,
    });
    if (minted) (await cookies()).set(minted.cookie.name, minted.cookie.value, minted.cookie.options);
    jobId = job.id;
  } catch (error) {
    const appError = isAppError(error) ? error : toAppError(error);
    return {
      status: "error",
      message: appError.message,
      fieldErrors: appError.details?.fields ?? {},
      values,
    };
  }
  // redirect() throws, so it stays outside the try block.
  redirect(`/itineraries/${jobId}`);
}
